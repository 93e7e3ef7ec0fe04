// The kit's side of `npm run bench`: the same measures as bench/erlang/distbench.erl,
// on real nodes (OS processes) over loopback. Figures, never assertions.
import { GenServer, NetKernel, Node, Process, rpc, receive, self, send, type Pid } from '../lib/index.ts';
import { LocalCluster } from '../lib/cluster/index.ts';
import { spawnNode, type SpawnedNode } from '../lib/cluster/spawnNode.ts';
import { median, percentile, type Figure } from './figures.ts';

const FIXTURES = new URL('./fixtures.ts', import.meta.url).href;

export interface KitBenchOptions {
  readonly runs: number;
  readonly trips: number;
  readonly messages: number;
  readonly clusterRuns: number;
  readonly cookie: string;
  readonly epmdPort: number;
}

export async function kitFigures(o: KitBenchOptions): Promise<Figure[]> {
  const children: SpawnedNode[] = [];
  let seq = 0;
  const child = async () => {
    const n = await spawnNode({ sname: `bench${process.pid}x${seq++}`, cookie: o.cookie, env: { DISTSYS_EPMD_PORT: String(o.epmdPort) } });
    children.push(n);
    return n;
  };
  const figures: Figure[] = [];
  const add = (f: Figure) => {
    figures.push(f);
    process.stderr.write(`  ${f.label}: ${f.kit?.toFixed(2)} ${f.unit}\n`);
  };
  try {
    // 1. Start a node, and a first connect to it.
    const startMs: number[] = [];
    const connectMs: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t0 = performance.now();
      const n = await child();
      const t1 = performance.now();
      if (!(await Node.connect(n.name))) throw new Error('connect failed');
      connectMs.push(performance.now() - t1);
      startMs.push(t1 - t0);
      await n.stop();
    }
    add({ key: 'nodeStartMs', label: 'node start, OS process to pingable', unit: 'ms', lowerIsBetter: true, kit: median(startMs) });
    add({ key: 'firstConnectMs', label: 'first connect', unit: 'ms', lowerIsBetter: true, kit: median(connectMs) });

    const [far, two, three] = [await child(), await child(), await child()] as [SpawnedNode, SpawnedNode, SpawnedNode];
    for (const n of [far, two, three]) await Node.connect(n.name);

    // 2. Round trip of a small message between registered processes.
    const p50s: number[] = [];
    const p99s: number[] = [];
    await rpc.call(far.name, FIXTURES, 'startPong', ['pong']);
    const me = self();
    for (let r = 0; r < o.runs; r++) {
      const trips: number[] = [];
      for (let i = 0; i < o.trips; i++) {
        const t0 = performance.now();
        send({ name: 'pong', node: far.name }, { from: me, n: i });
        await receive();
        trips.push((performance.now() - t0) * 1000);
      }
      p50s.push(percentile(trips, 50));
      p99s.push(percentile(trips, 99));
    }
    add({ key: 'roundTripP50Us', label: 'round trip between registered processes, p50', unit: 'us', lowerIsBetter: true, kit: median(p50s) });
    add({ key: 'roundTripP99Us', label: 'round trip between registered processes, p99', unit: 'us', lowerIsBetter: true, kit: median(p99s) });

    // 3. One-way throughput, in order.
    const rates: number[] = [];
    for (let r = 0; r < Math.min(o.runs, 3); r++) {
      const sink = `sink${r}`;
      await rpc.call(far.name, FIXTURES, 'startSink', [sink, o.messages, me]);
      const t0 = performance.now();
      const dest = { name: sink, node: far.name };
      // Sends in slices so the sender yields, as a real producer would.
      for (let i = 0; i < o.messages; i += 10_000) {
        const end = Math.min(o.messages, i + 10_000);
        for (let j = i; j < end; j++) send(dest, j);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const report = (await receive((m) => typeof m === 'object' && m !== null && 'done' in m, 120_000)) as { done: number; inOrder: boolean };
      if (!report.inOrder) throw new Error('messages arrived out of order');
      rates.push(o.messages / ((performance.now() - t0) / 1000));
    }
    add({ key: 'throughputPerS', label: 'one-way throughput, in order', unit: 'msg/s', lowerIsBetter: false, kit: median(rates) });

    // 4. GenServer.call across nodes, and multiCall to 3 nodes.
    for (const n of [far, two, three]) await rpc.call(n.name, FIXTURES, 'startEchoServer', ['echo']);
    const timed = async (times: number, call: (i: number) => Promise<unknown>) => {
      const xs: number[] = [];
      for (let i = 0; i < times; i++) {
        const t0 = performance.now();
        await call(i);
        xs.push((performance.now() - t0) * 1000);
      }
      return percentile(xs, 50);
    };
    const callP50s: number[] = [];
    const multiP50s: number[] = [];
    const three3 = [far.name, two.name, three.name];
    for (let r = 0; r < o.runs; r++) {
      callP50s.push(await timed(o.trips, (i) => GenServer.call({ name: 'echo', node: far.name }, i)));
      multiP50s.push(await timed(Math.floor(o.trips / 4), (i) => GenServer.multiCall('echo', i, three3)));
    }
    add({ key: 'callP50Us', label: 'GenServer.call across nodes, p50', unit: 'us', lowerIsBetter: true, kit: median(callP50s) });
    add({ key: 'multiCallP50Us', label: 'GenServer.multiCall to 3 nodes, p50', unit: 'us', lowerIsBetter: true, kit: median(multiP50s) });

    // 5. Remote exit to DOWN.
    const downs: number[] = [];
    for (let i = 0; i < Math.floor(o.trips / 10); i++) {
      const pid = await rpc.call<Pid>(far.name, FIXTURES, 'startIdle');
      const ref = Process.monitor(pid);
      const t0 = performance.now();
      Process.exit(pid, 'kill');
      await receive((m) => (m as { type?: string; ref?: unknown }).type === 'DOWN' && (m as { ref: typeof ref }).ref.id === ref.id, 5_000);
      downs.push((performance.now() - t0) * 1000);
    }
    add({ key: 'remoteExitToDownUs', label: 'remote exit to DOWN', unit: 'us', lowerIsBetter: true, kit: median(downs) });

    // 6. Memory: an idle node, and one holding 100,000 idle processes.
    const idle = await child();
    await Node.connect(idle.name);
    await new Promise((r) => setTimeout(r, 500));
    add({ key: 'idleNodeRssMiB', label: 'memory of an idle node (RSS)', unit: 'MiB', lowerIsBetter: true, kit: await rpc.call<number>(idle.name, FIXTURES, 'rssMiB') });
    await rpc.call(idle.name, FIXTURES, 'spawnIdle', [100_000]);
    add({ key: 'rssWith100kProcessesMiB', label: 'memory with 100,000 idle processes (RSS)', unit: 'MiB', lowerIsBetter: true, kit: await rpc.call<number>(idle.name, FIXTURES, 'rssMiB') });
    await idle.kill();

    // 7. A 3-node cluster, from nothing to a full mesh, and kill -9 to nodedown.
    const clusterMs: number[] = [];
    const nodedownMs: number[] = [];
    NetKernel.monitorNodes(true);
    for (let r = 0; r < o.clusterRuns; r++) {
      const t0 = performance.now();
      const nodes = await LocalCluster.startNodes(`mesh${r}x`, 3);
      clusterMs.push(performance.now() - t0);
      const victim = nodes[0] as string;
      const t1 = performance.now();
      await LocalCluster.kill(victim);
      await receive((m) => (m as { type?: string; node?: string }).type === 'nodedown' && (m as { node: string }).node === victim, 10_000);
      nodedownMs.push(performance.now() - t1);
      await LocalCluster.stopNodes();
      while (await receive(undefined, 0).then(() => true, () => false)) {
        // drop the nodeup/nodedown messages of this round
      }
    }
    NetKernel.monitorNodes(false);
    add({ key: 'meshOf3Ms', label: '3 nodes started to a full mesh', unit: 'ms', lowerIsBetter: true, kit: median(clusterMs) });
    add({ key: 'killToNodedownMs', label: 'kill -9 to nodedown (incl. the kill)', unit: 'ms', lowerIsBetter: true, kit: median(nodedownMs) });
    return figures;
  } finally {
    await Promise.all(children.map((c) => c.kill().catch(() => {})));
  }
}
