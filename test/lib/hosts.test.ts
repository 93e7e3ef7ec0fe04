// Several hosts: nodes on two machines (network namespaces joined by a veth
// pair) named by their addresses find each other through the port mappers
// their first node started, with no extra setting; a cut link (packets
// dropped, not a Schism partition) is noticed within the tick time on both
// sides, and the nodes connect again once packets flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnNode, type SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import { COOKIE, fixture } from '../support/nodes.ts';
import { hostsUnavailable, makeTwoHosts, type TwoHosts } from '../support/netns.ts';
import { waitFor } from '../support/wait.ts';
import { askOverIpc } from '../support/ipcControl.ts';

const TICK_MS = 1_000;
const why = hostsUnavailable();
let hosts: TwoHosts | undefined;
const nodes: SpawnedNode[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill().catch(() => {})));
  hosts?.remove();
});

/** Asks a node to do something through its IPC channel (tests/lib/fixtures/remoteControl.ts). */
const ask = askOverIpc;

describe.skipIf(why !== undefined)(`several hosts${why ? ` (skipped: ${why})` : ''}`, () => {
  let a: SpawnedNode;
  let b: SpawnedNode;

  beforeAll(async () => {
    hosts = makeTwoHosts(String(process.pid % 100_000));
    const start = (host: TwoHosts['a'], alive: string) =>
      spawnNode({ name: `${alive}@${host.address}`, cookie: COOKIE, boot: fixture('remoteControl.ts'), tickTimeMs: TICK_MS, wrapper: host.wrapper });
    [a, b] = await Promise.all([start(hosts.a, 'a'), start(hosts.b, 'b')]);
    nodes.push(a, b);
  });

  it('nodes named by their addresses ping, exchange messages and rpc, with no extra setting', async () => {
    expect(await ask(a, 'ping', b.name)).toBe('pong');
    expect(await ask(a, 'list')).toEqual([b.name]);
    expect(await ask(b, 'list')).toEqual([a.name]);
    expect(await ask(a, 'roundTrip', b.name, 'across the wire')).toEqual({ text: 'across the wire', at: b.name });
    expect(await ask(b, 'roundTrip', a.name, 'and back')).toEqual({ text: 'and back', at: a.name });
    expect(await ask(a, 'add', b.name, 20, 22)).toBe(42);
  });

  it("a program on another host may look names up but not register one with this host's port mapper", async () => {
    await expect(ask(b, 'registerAt', hosts?.a.address, 'squatter')).rejects.toThrow(/only for programs on the port mapper's own host/);
  });

  it('a cut link is noticed within the tick time on both sides; the pang says why; after it returns, they connect again', async () => {
    expect(await ask(a, 'ping', b.name)).toBe('pong');
    const cutAt = await ask<number>(a, 'now');
    hosts?.cut();
    const downOn = async (node: SpawnedNode, peer: string) => {
      await waitFor(async () => expect((await ask<Array<{ node: string }>>(node, 'nodedowns')).some((d) => d.node === peer)).toBe(true), 10 * TICK_MS, 100);
      return (await ask<Array<{ node: string; at: number }>>(node, 'nodedowns')).find((d) => d.node === peer)?.at as number;
    };
    const [downA, downB] = await Promise.all([downOn(a, b.name), downOn(b, a.name)]);
    // Silence is judged at quarter ticks: down after one tick time, at most a quarter late (plus slack for a busy machine).
    for (const at of [downA, downB]) {
      expect(at - cutAt).toBeGreaterThanOrEqual(TICK_MS * 0.75);
      expect(at - cutAt).toBeLessThan(TICK_MS * 2.5);
    }
    expect(await ask(a, 'ping', b.name)).toBe('pang');
    await waitFor(() => expect(a.log()).toMatch(new RegExp(`could not connect to ${b.name.replace(/\./g, '\\.')}: .+`)));
    hosts?.mend();
    await waitFor(async () => expect(await ask(a, 'ping', b.name)).toBe('pong'), 15_000, 200);
    expect(await ask(b, 'list')).toEqual([a.name]);
    expect(await ask(b, 'roundTrip', a.name, 'after the cut')).toEqual({ text: 'after the cut', at: a.name });
  });
});
