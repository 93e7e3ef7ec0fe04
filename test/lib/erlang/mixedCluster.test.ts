// A mixed cluster: this test process and a child OS process are kit nodes in Erlang
// mode, beside two real erl nodes. Kit nodes in Erlang mode speak Erlang's protocol
// to each other too (one EPMD, one protocol); connections are transitive as far as a
// hidden node can make them (each new peer is asked for the nodes it is connected
// to); and a node killed with -9, or silent (stopped), is nodedown within the tick
// time on the other side, whichever side is the kit's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetKernel, Node, Process, isDown, receive, rpc, sameRef, type DownMessage, type NodeMessage, type Pid, type Ref } from '../../../lib/index.ts';
import { EpmdClient } from '../../../lib/epmd/client.ts';
import { epmdPortFromEnv } from '../../../lib/epmd/protocol.ts';
import type { SpawnedNode } from '../../../lib/cluster/spawnNode.ts';
import { listNames } from '../../../lib/erlang/epmdClient.ts';
import { COOKIE, startChild, uniqueName } from '../../support/nodes.ts';
import { inProcess } from '../../support/inProcess.ts';
import { waitFor } from '../../support/wait.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, startRealEpmd, type RealEpmd } from './support/erl.ts';
import { remember, settled } from './support/kitProcesses.ts';

const KIT_APP = new URL('./fixtures/kitApp.ts', import.meta.url).href;
/** The tick time of every node here: Erlang's net_ticktime 2 (its shortest sensible), the kit's 2000 ms. */
const TICK_MS = 2_000;
const downOf = (ref: Ref) => (m: unknown): m is DownMessage => isDown(m) && sameRef(m.ref, ref);
const nodedown = (node: string) => (m: unknown): m is NodeMessage => (m as NodeMessage)?.type === 'nodedown' && (m as NodeMessage).node === node;

describe.skipIf(erlangMissing)(`kit nodes in Erlang mode and erl nodes, one cluster${skipNote}`, () => {
  let epmd: RealEpmd;
  let me: string;
  const erls: ErlNode[] = [];
  const erl = async () => {
    const node = await ErlNode.start({ epmdPort: epmd.port, cookie: COOKIE, tickTimeSec: TICK_MS / 1000, probeDir: compileProbe() });
    erls.push(node);
    return node;
  };
  const kitChild = (): Promise<SpawnedNode> => startChild('kitchild', { dist: 'erlang', tickTimeMs: TICK_MS, env: { ERL_EPMD_PORT: String(epmd.port) } });

  beforeAll(async () => {
    epmd = await startRealEpmd();
    me = await Node.start({ sname: uniqueName('kitmesh') }, { cookie: COOKIE, dist: 'erlang', epmdPort: epmd.port, tickTimeMs: TICK_MS });
  });
  afterAll(async () => {
    await Node.stop();
    for (const node of erls) {
      node.resume();
      await node.stop();
    }
    await epmd?.stop();
  });

  it("two kit nodes in Erlang mode register with Erlang's EPMD and speak Erlang's protocol to each other", async () => {
    const child = await kitChild();
    const names = (await listNames({ host: '127.0.0.1', port: epmd.port })).names.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining([me.split('@')[0], child.name.split('@')[0]]));
    // ... and not with the kit's own port mapper (none may even run).
    const kitMapper = await EpmdClient.ask(epmdPortFromEnv(), '127.0.0.1', (c) => c.names()).catch(() => []);
    expect(kitMapper.map((n) => n.name)).not.toContain(child.name.split('@')[0]);
    expect(await Node.connect(child.name)).toBe(true);
    // rpc (Erlang's request, to the kit's rex), messages and monitors between the two.
    const idle = await rpc.call<Pid>(child.name, KIT_APP, 'startIdle', ['idler']);
    expect(idle.node).toBe(child.name);
    await inProcess(async () => {
      const ref = Process.monitor(idle);
      Process.exit(idle, 'shutdown');
      expect((await receive(downOf(ref), 5_000)).reason).toBe('shutdown');
    });
    await child.stop();
  });

  it('transitive connections: a kit node that joins an erl node meets the nodes it is connected to, erl and kit alike', async () => {
    const [a, b] = [await erl(), await erl()];
    expect(await a.eval(`net_adm:ping('${b.name}')`)).toBe('pong');
    // This node joins a: it asks a which nodes a is connected to, and meets b.
    expect(await Node.connect(a.name)).toBe(true);
    await waitFor(() => expect(Node.list()).toEqual(expect.arrayContaining([a.name, b.name])));
    await waitFor(async () => expect(await b.eval(`lists:member('${me}', nodes(hidden))`)).toBe('true'));
    // A second kit node joins a: it meets b, and this node, which a knows as a hidden node.
    const child = await kitChild();
    expect(await rpc.call(child.name, KIT_APP, 'connect', [a.name])).toBe(true);
    await waitFor(async () => expect(await rpc.call<string[]>(child.name, KIT_APP, 'list')).toEqual(expect.arrayContaining([a.name, b.name, me])));
    await waitFor(() => expect(Node.list()).toContain(child.name));
    // What Erlang does not do for a hidden node: b, connected to a, is not told about the newcomer by a.
    expect(await a.eval(`lists:member('${child.name}', nodes())`)).toBe('false');
    await child.stop();
  });

  it('kill -9 of an erl node: the kit node has nodedown and its monitors DOWN noconnection, at once', () =>
    inProcess(async () => {
      const victim = await erl();
      expect(await Node.connect(victim.name)).toBe(true);
      await victim.eval('register(sitter, spawn(fun() -> receive never -> ok end end))');
      const ref = Process.monitor({ name: 'sitter', node: victim.name });
      await settled(victim.name);
      NetKernel.monitorNodes(true);
      const killed = Date.now();
      await victim.kill9();
      await receive(nodedown(victim.name), TICK_MS);
      expect((await receive(downOf(ref), 1_000)).reason).toBe('noconnection');
      expect(Date.now() - killed).toBeLessThan(TICK_MS);
      expect(Node.list()).not.toContain(victim.name);
      NetKernel.monitorNodes(false);
    }));

  it('kill -9 of a kit node: the erl node has nodedown and its monitors DOWN noconnection', async () => {
    const watcher = await erl();
    const child = await kitChild();
    const idle = await rpc.call<Pid>(child.name, KIT_APP, 'startIdle', ['sitter']);
    await remember(watcher.name, 'idle', idle);
    await watcher.eval(
      "spawn(fun() -> net_kernel:monitor_nodes(true, [{node_type, all}]), R = monitor(process, kit_probe:recall(idle)), persistent_term:put({kit_probe, watching}, yes), " +
        "receive {'DOWN', R, process, _, Why} -> persistent_term:put({kit_probe, down}, Why) end, receive {nodedown, N, _} -> persistent_term:put({kit_probe, nodedown}, N) end end), ok",
    );
    await waitFor(async () => expect(await watcher.eval('persistent_term:get({kit_probe, watching}, no)')).toBe('yes'));
    // The monitor made the erl node dial the kit node: killed before that connection is up, the monitor fires without a nodedown.
    await waitFor(async () => expect(await watcher.eval(`lists:member('${child.name}', nodes(hidden))`)).toBe('true'));
    await child.kill('SIGKILL');
    await waitFor(async () => expect(await watcher.eval('persistent_term:get({kit_probe, down}, waiting)')).toBe('noconnection'), TICK_MS);
    await waitFor(async () => expect(await watcher.eval('persistent_term:get({kit_probe, nodedown}, waiting)')).toBe(child.name), TICK_MS);
  });

  it('a silent peer (stopped, its socket open) is nodedown within the tick time, whichever side is silent', () =>
    inProcess(async () => {
      const sleepy = await erl();
      const child = await kitChild();
      expect(await Node.connect(sleepy.name)).toBe(true);
      expect(await rpc.call(child.name, KIT_APP, 'connect', [sleepy.name])).toBe(true);
      NetKernel.monitorNodes(true);
      // The erl node stops: this kit node's ticks find it silent.
      let since = Date.now();
      sleepy.pause();
      await receive(nodedown(sleepy.name), TICK_MS * 3);
      const kitSaw = Date.now() - since;
      sleepy.resume();
      // A kit node stops: an erl node's ticks find it silent. A fresh erl node watches: the resumed
      // one may still drop, a moment later, a connection whose ticks it missed while it was stopped
      // (its timers run before it reads the socket), which a watcher subscribed then would take for
      // the kit node's silence, or miss.
      const watcher = await erl();
      expect(await rpc.call(child.name, KIT_APP, 'connect', [watcher.name])).toBe(true);
      await waitFor(async () => expect(await watcher.eval(`lists:member('${child.name}', nodes(hidden))`)).toBe('true'), TICK_MS * 3);
      await watcher.eval(
        `spawn(fun() -> net_kernel:monitor_nodes(true, [{node_type, all}]), persistent_term:put({kit_probe, ticking}, yes), receive {nodedown, '${child.name}', _} -> persistent_term:put({kit_probe, silent}, yes) end end), ok`,
      );
      await waitFor(async () => expect(await watcher.eval('persistent_term:get({kit_probe, ticking}, no)')).toBe('yes'));
      since = Date.now();
      await child.kill('SIGSTOP');
      await waitFor(async () => expect(await watcher.eval('persistent_term:get({kit_probe, silent}, waiting)')).toBe('yes'), TICK_MS * 3);
      const erlSaw = Date.now() - since;
      await child.kill('SIGKILL');
      // Between three quarters of the tick time and the whole of it, plus a turn of each side's timers.
      expect(kitSaw, `the kit node took ${kitSaw} ms to find the stopped erl node down`).toBeGreaterThanOrEqual(TICK_MS * 0.75 - 50);
      expect(erlSaw, `the erl node took ${erlSaw} ms to find the stopped kit node down`).toBeGreaterThanOrEqual(TICK_MS * 0.75 - 50);
      NetKernel.monitorNodes(false);
    }));
});
