// Traces: every node records its message events; the harness gathers them into
// one ordered file of JSON lines under traces/.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Node, receive, rpc, self, type Pid } from '../../lib/index.ts';
import { Faults, LocalCluster, Schism, Trace, type TraceEvent } from '../../lib/cluster/index.ts';
import { fixture } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';

const app = fixture('app.ts');
const dir = mkdtempSync(join(tmpdir(), 'distsys-traces-'));
process.env.DISTSYS_TRACE_DIR = dir;
afterAll(async () => {
  await LocalCluster.stopNodes();
  rmSync(dir, { recursive: true, force: true });
});

describe('traces', () => {
  it('records sends, deliveries, drops, duplicates, partitions, heals, nodeup and nodedown, merged in order into one file', () =>
    inProcess(async () => {
      const [a, b] = (await LocalCluster.startNodes('traced', 2)) as [string, string];
      await Trace.start();
      const collector = await rpc.call<Pid>(b, app, 'startCollector', [self()]);
      await Faults.inject({ seed: 7, drop: 0.2, duplicate: 0.2 });
      await rpc.call(a, app, 'sendNumbersLinked', [collector, 50]);
      const { seen } = (await receive((m) => typeof m === 'object' && m !== null && 'seen' in m, 10_000)) as { seen: number[] };
      await Faults.clear();
      await Schism.partition([a]);
      await Schism.heal([a]);

      const file = await Trace.write('traces test');
      expect(file).toBe(join(dir, 'traces_test.jsonl'));
      const events = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent);
      const kinds = new Set(events.map((e) => e.kind));
      for (const kind of ['send', 'deliver', 'drop', 'duplicate', 'partition', 'heal', 'nodedown', 'nodeup']) expect(kinds).toContain(kind);
      // One order: by the shared clock.
      expect(events.map((e) => e.us)).toEqual([...events.map((e) => e.us)].sort((x, y) => x - y));
      // Each delivery on a->b matches a send or duplicate on a->b with the same hash, and comes after it.
      const link = `${a}->${b}`;
      const delivered = events.filter((e) => e.kind === 'deliver' && e.link === link && e.msg?.includes('"n"'));
      expect(delivered).toHaveLength(seen.length);
      for (const d of delivered) {
        const sent = events.find((e) => (e.kind === 'send' || e.kind === 'duplicate') && e.link === link && e.hash === d.hash);
        expect(sent, `no send for ${d.msg}`).toBeDefined();
        expect((sent as TraceEvent).us, `the delivery of ${d.msg} is stamped before its send: the nodes' clocks disagree`).toBeLessThanOrEqual(d.us);
      }
      const dropped = events.filter((e) => e.kind === 'drop' && e.link === link).length;
      const duplicated = events.filter((e) => e.kind === 'duplicate' && e.link === link).length;
      expect(seen.length).toBe(50 - dropped + duplicated);
      expect(events.find((e) => e.kind === 'nodedown' && e.node === a)?.peer).toBe(b);
    }));

  it("marks the harness's traffic as it is recorded: the manager's rpc calls and their replies, not a node's own rpc", () =>
    inProcess(async () => {
      const [a, b] = (await LocalCluster.startNodes('marked', 2)) as [string, string];
      await Trace.start();
      await Trace.collect(); // as a stage test does before each test: this trace starts empty
      expect(await rpc.call(a, app, 'addOn', [b, 2, 3])).toBe(5);
      const file = await Trace.write('harness marks');
      const events = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent);
      const manager = Node.self();
      const link = (from: string, to: string) => events.filter((e) => e.link === `${from}->${to}` && (e.kind === 'send' || e.kind === 'deliver'));
      const [toA, fromA, aToB, bToA] = [link(manager, a), link(a, manager), link(a, b), link(b, a)];
      // The manager's calls into a (this one, and the one that takes the trace) and a's replies: the harness's.
      expect(toA.filter((e) => e.what?.startsWith('rex: call app.ts addOn(')).map((e) => e.kind)).toEqual(['send', 'deliver']);
      expect(toA.filter((e) => e.what === 'rex: call agent.ts takeTrace()').map((e) => e.kind)).toEqual(['send', 'deliver']);
      expect(fromA.length).toBeGreaterThan(0);
      for (const e of [...toA, ...fromA]) expect(e.harness, `${e.node} ${e.kind} ${e.what}`).toBe(true);
      // a's own rpc call to b, and b's reply: the nodes' code, not marked.
      expect(aToB.map((e) => e.what)).toContain('rex: call app.ts add(2, 3)');
      expect(bToA.length).toBe(2);
      for (const e of [...aToB, ...bToA]) expect(e.harness, `${e.node} ${e.kind} ${e.what}`).toBeUndefined();
    }));

  it('a node started while a trace is recorded records too, so what it received is not drawn as lost', () =>
    inProcess(async () => {
      const [a] = (await LocalCluster.startNodes('before', 1)) as [string];
      await Trace.start();
      const [late] = (await LocalCluster.startNodes('latecomer', 1)) as [string];
      expect(await rpc.call(a, app, 'addOn', [late, 2, 3])).toBe(5);
      const file = await Trace.write('latecomer');
      const events = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent);
      const toLate = events.filter((e) => e.link === `${a}->${late}` && e.what?.startsWith('rex: call app.ts add('));
      expect(toLate.map((e) => e.kind), `what ${late}, started after Trace.start, recorded of a's call`).toEqual(['send', 'deliver']);
    }));
});
