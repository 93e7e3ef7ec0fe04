// Schism: partitions cut nodes off from each other (not from the manager), no
// connection crosses the cut while it lasts, and heal brings nodeup on both
// sides. Proved with the ping-pong netsplit arithmetic of the original workshop.
import { afterAll, describe, expect, it } from 'vitest';
import { GenServer, Node, receive, rpc, self, send } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { PING_PONG } from '../support/pingPong.ts';
import { fixture } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';
import { waitFor } from '../support/wait.ts';

afterAll(() => LocalCluster.stopNodes());

const mesh = fixture('mesh.ts');
const app = fixture('app.ts');
const total = (node: string) => GenServer.call<number>({ name: 'consumer', node }, 'total');
const ping = (node: string) => GenServer.call<number>({ name: 'producer', node }, 'ping');

describe('Schism', () => {
  it('ping-pong across a netsplit: totals 2, then 3 on each side, then 4 after heal', () =>
    inProcess(async () => {
      const [n1, n2] = (await LocalCluster.startNodes('ping-pong', 2, { boot: PING_PONG })) as [string, string];
      await ping(n1);
      await ping(n2);
      await waitFor(async () => expect([await total(n1), await total(n2)]).toEqual([2, 2]));

      await Schism.partition([n1]);
      // Each side sees the other go; the manager still sees both.
      await waitFor(async () => expect(await rpc.call(n1, mesh, 'list')).not.toContain(n2));
      await waitFor(async () => expect(await rpc.call(n2, mesh, 'list')).not.toContain(n1));
      expect(Node.list()).toEqual(expect.arrayContaining([n1, n2]));

      await ping(n1);
      await ping(n2);
      await waitFor(async () => expect([await total(n1), await total(n2)]).toEqual([3, 3]));
      expect(await GenServer.call({ name: 'consumer', node: n1 }, 'counts')).toEqual({ [n1]: 2, [n2]: 1 });

      await Schism.heal([n1]);
      await waitFor(async () => expect(await rpc.call(n1, mesh, 'list')).toContain(n2));
      await waitFor(async () => expect([await total(n1), await total(n2)]).toEqual([4, 4]));
      await LocalCluster.stopNodes([n1, n2]);
    }));

  it('no connection crosses the cut, not even the automatic one on send; nodedown then nodeup on both sides', () =>
    inProcess(async () => {
      const [a, b, c] = (await LocalCluster.startNodes('cut', 3)) as [string, string, string];
      await Promise.all([a, b, c].map((n) => rpc.call(n, app, 'startCounter', ['inbox'])));
      await Promise.all([a, b, c].map((n) => rpc.call(n, fixture('nodeEvents.ts'), 'record')));

      await Schism.partition([a]);
      // a is alone; b and c still see each other; the manager sees everyone.
      expect(await rpc.call(a, mesh, 'list')).toEqual([Node.self()]);
      expect(await rpc.call<string[]>(b, mesh, 'list')).toEqual(expect.arrayContaining([Node.self(), c]));
      expect(await rpc.call<string[]>(b, mesh, 'list')).not.toContain(a);
      // A send from a to b would connect in a healthy cluster; across the cut it is dropped.
      await rpc.call(a, app, 'sendNumbers', [{ name: 'inbox', node: b }, 5]);
      await rpc.call(c, app, 'sendNumbers', [{ name: 'inbox', node: b }, 5]);
      expect(await rpc.call(a, mesh, 'connect', [b])).toBe(false);
      expect(await rpc.call(a, mesh, 'list')).toEqual([Node.self()]);
      // c's five travel on c -> b, the report request on manager -> b: ask until c's have all arrived.
      const report = async () => {
        send({ name: 'inbox', node: b }, { report: self() });
        return ((await receive((m) => typeof m === 'object' && m !== null && 'seen' in m, 5_000)) as { seen: number[] }).seen;
      };
      await waitFor(async () => expect((await report()).length).toBeGreaterThanOrEqual(5));
      expect(await report()).toEqual([0, 1, 2, 3, 4]); // only c's five: a's were dropped at the cut, not queued

      await Schism.heal([a]);
      expect(await rpc.call<string[]>(a, mesh, 'list')).toEqual(expect.arrayContaining([b, c]));
      await waitFor(async () => {
        expect(await rpc.call(a, fixture('nodeEvents.ts'), 'events')).toEqual([`nodedown ${b}`, `nodedown ${c}`, `nodeup ${b}`, `nodeup ${c}`].sort());
      });
      for (const n of [b, c]) {
        await waitFor(async () => expect(await rpc.call(n, fixture('nodeEvents.ts'), 'events')).toEqual([`nodedown ${a}`, `nodeup ${a}`]));
      }
      expect(await report(), "a's sends from the time of the cut do not arrive after the heal either").toEqual([0, 1, 2, 3, 4]);
      await LocalCluster.stopNodes([a, b, c]);
    }));
});
