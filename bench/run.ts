// `npm run bench`: how fast the library's distribution is on this machine.
// Medians over several runs; figures, not assertions. Compare with the bar
// Erlang/OTP sets on the same 2-core machine (README, "Performance").
import { createServer } from 'node:net';
import { GenServer, NetKernel, Node, rpc, receive, self, send } from '../lib/index.ts';
import { LocalCluster } from '../lib/cluster/index.ts';
import { spawnNode, type SpawnedNode } from '../lib/cluster/spawnNode.ts';
import { EpmdClient } from '../lib/epmd/client.ts';
import { benchWordCount } from './wordCount.ts';

const FIXTURES = new URL('./fixtures.ts', import.meta.url).href;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TRIPS = Number(process.env.BENCH_TRIPS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const epmdPort = await freePort();
process.env.DISTSYS_EPMD_PORT = String(epmdPort);
const cookie = 'bench';
const children: SpawnedNode[] = [];
let seq = 0;
const child = async () => {
  const n = await spawnNode({ sname: `bench${process.pid}x${seq++}`, cookie, env: { DISTSYS_EPMD_PORT: String(epmdPort) } });
  children.push(n);
  return n;
};

try {
  await Node.start({ sname: `benchmgr${process.pid}` }, { cookie });

  // 1. Start a node and connect to it.
  const startMs: number[] = [];
  const connectMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const n = await child();
    const t1 = performance.now();
    if (!(await Node.connect(n.name))) throw new Error('connect failed');
    const t2 = performance.now();
    startMs.push(t1 - t0);
    connectMs.push(t2 - t1);
    await n.stop();
  }
  console.log(`start a node (OS process to ready):  median ${median(startMs).toFixed(0)} ms  (${RUNS} runs)`);
  console.log(`first connect to it:                 median ${median(connectMs).toFixed(1)} ms`);
  console.log(`start + connect:                     median ${median(startMs.map((s, i) => s + (connectMs[i] as number))).toFixed(0)} ms`);

  const far = await child();
  await Node.connect(far.name);

  // 2. Round trip of a small message between registered processes.
  const p50s: number[] = [];
  const p99s: number[] = [];
  await rpc.call(far.name, FIXTURES, 'startPong', ['pong']);
  const me = self();
  for (let r = 0; r < RUNS; r++) {
    const trips: number[] = [];
    for (let i = 0; i < TRIPS; i++) {
      const t0 = performance.now();
      send({ name: 'pong', node: far.name }, { from: me, n: i });
      await receive();
      trips.push((performance.now() - t0) * 1000);
    }
    p50s.push(percentile(trips, 50));
    p99s.push(percentile(trips, 99));
  }
  console.log(`round trip, ${TRIPS} trips:            p50 ${median(p50s).toFixed(0)} us, p99 ${median(p99s).toFixed(0)} us (medians of ${RUNS} runs)`);

  // 3. One-way throughput.
  const rates: number[] = [];
  for (let r = 0; r < Math.min(RUNS, 3); r++) {
    const sink = `sink${r}`;
    await rpc.call(far.name, FIXTURES, 'startSink', [sink, MESSAGES, me]);
    const t0 = performance.now();
    const dest = { name: sink, node: far.name };
    // Sends in slices so the sender yields, as a real producer would.
    for (let i = 0; i < MESSAGES; i += 10_000) {
      const end = Math.min(MESSAGES, i + 10_000);
      for (let j = i; j < end; j++) send(dest, j);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const report = (await receive((m) => typeof m === 'object' && m !== null && 'done' in m, 120_000)) as { done: number; inOrder: boolean };
    const seconds = (performance.now() - t0) / 1000;
    if (!report.inOrder) throw new Error('messages arrived out of order');
    rates.push(MESSAGES / seconds);
  }
  console.log(`one-way throughput, ${MESSAGES} msgs:  median ${Math.round(median(rates)).toLocaleString('en-US')} msgs/s (in order)`);

  // 4. GenServer.call across nodes.
  await rpc.call(far.name, FIXTURES, 'startEchoServer', ['echo']);
  const callP50s: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const calls: number[] = [];
    for (let i = 0; i < TRIPS; i++) {
      const t0 = performance.now();
      await GenServer.call({ name: 'echo', node: far.name }, i);
      calls.push((performance.now() - t0) * 1000);
    }
    callP50s.push(percentile(calls, 50));
  }
  console.log(`GenServer.call across nodes:         p50 ${median(callP50s).toFixed(0)} us (median of ${RUNS} runs of ${TRIPS})`);

  // 5. A 3-node cluster, from nothing to a full mesh (LocalCluster.startNodes), and kill -9 to nodedown.
  const clusterMs: number[] = [];
  const nodedownMs: number[] = [];
  NetKernel.monitorNodes(true);
  const clusterRuns = Number(process.env.BENCH_CLUSTER_RUNS ?? 10);
  for (let r = 0; r < clusterRuns; r++) {
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
  console.log(`3 nodes started to a full mesh:      median ${median(clusterMs).toFixed(0)} ms (${clusterRuns} runs)`);
  console.log(`kill -9 to nodedown:                 median ${median(nodedownMs).toFixed(1)} ms (${clusterRuns} runs)`);

  // 6. Stage 3's word count over its corpus: 3 worker nodes against one process.
  await benchWordCount(RUNS);
} finally {
  await Promise.all(children.map((c) => c.kill().catch(() => {})));
  await Node.stop();
  try {
    const c = await EpmdClient.connect(epmdPort);
    await c.kill();
    c.close();
  } catch {
    // gone already
  }
}
