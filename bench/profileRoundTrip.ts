// Where a round trip's time goes, from CPU profiles of both sides (the README's
// Performance section quotes it). The bench's round trip (a registered process that
// answers each {from, n} with n) runs for `trips` trips while V8's sampling profiler
// records this process and the far node; then each side's samples are summed by
// where they fall: idle (waiting in the event loop: the kernel, the network and the
// other side), garbage collection, the kit's own modules, ws, node's internals
// (streams, sockets, timers), crypto and JSON. Figures, never assertions.
//
//   node --import ./lib/boot/typescript.mjs bench/profileRoundTrip.ts [trips]
//   npx -y -p node@24 node --import ./lib/boot/typescript.mjs bench/profileRoundTrip.ts
import { Session } from 'node:inspector/promises';
import { Node, receive, rpc, self, send } from '../lib/index.ts';
import { EpmdClient } from '../lib/epmd/client.ts';
import { pickPortMapperPort } from '../lib/epmd/pickPort.ts';
import { spawnNode } from '../lib/cluster/spawnNode.ts';
import { percentile } from './figures.ts';
import { startEchoServers } from './floor.ts';

const FIXTURES = new URL('./fixtures.ts', import.meta.url).href;
const trips = Number(process.argv[2] ?? 30_000);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the stack a sampled frame belongs to. */
function category(frame: ProfileNode['callFrame']): string {
  const { functionName: fn, url } = frame;
  if (fn === '(idle)') return 'idle (waiting for the other side, the kernel, the network)';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(program)') return "V8 and Node.js's C++ (no JavaScript on the stack)";
  if (url.includes('/node_modules/ws/')) return 'ws (WebSocket framing, buffers)';
  if (url.includes('/lib/distribution/frameMac') || /^(hash|createHmac|timingSafeEqual)$/.test(fn)) return 'the frame MAC';
  if (fn === 'parse' || fn === 'stringify') return 'JSON.parse and JSON.stringify';
  if (url.includes('/lib/')) return "the kit's library (codec, entries, batch, mailbox, processes)";
  if (url.includes('/bench/')) return 'the bench loop itself';
  if (url.startsWith('node:internal/') || url.startsWith('node:')) return "Node.js's JavaScript (streams, sockets, timers, promises)";
  if (fn === '(root)') return "V8 and Node.js's C++ (no JavaScript on the stack)";
  return 'other (native functions, builtins)';
}

/** Milliseconds of samples per category, each sample counted for its top frame. */
function summarise(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const key = category(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return totals;
}

/** The native functions (no script of their own) that took the most samples: what "other" is made of. */
function topNatives(profile: Profile, count = 6): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node || category(node.callFrame) !== 'other (native functions, builtins)') return;
    ms.set(node.callFrame.functionName || '(anonymous)', (ms.get(node.callFrame.functionName || '(anonymous)') ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...ms].sort((a, b) => b[1] - a[1]).slice(0, count).map(([fn, t]) => `${fn} ${(t / 1000 / trips * 1e6).toFixed(1)} µs`).join(', ');
}

function print(side: string, totals: Map<string, number>): void {
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`\n${side}: ${all.toFixed(0)} ms sampled\n`);
  for (const [key, ms] of [...totals].sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`  ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${(ms / 1000 / trips * 1e6).toFixed(1).padStart(6)} µs a trip  ${key}\n`);
  }
}

/** Runs `once` `trips` times under V8's sampling profiler (100 µs), says how long they took, and returns the profile. */
async function profiled(what: string, once: (i: number) => Promise<void>): Promise<Profile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < trips; i++) {
    const t = performance.now();
    await once(i);
    times.push((performance.now() - t) * 1000);
  }
  const wall = performance.now() - t0;
  const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
  session.disconnect();
  process.stdout.write(
    `\n${what}: ${trips} round trips in ${wall.toFixed(0)} ms, ${((wall * 1000) / trips).toFixed(1)} µs each on average, p50 ${percentile(times, 50).toFixed(1)} µs (Node.js ${process.version})\n`,
  );
  return profile;
}

const epmdPort = await pickPortMapperPort();
process.env.DISTSYS_EPMD_PORT = String(epmdPort);
const cookie = `profile${process.pid}`;
await Node.start({ sname: `profmgr${process.pid}` }, { cookie });
const far = await spawnNode({ sname: `proffar${process.pid}`, cookie, env: { DISTSYS_EPMD_PORT: String(epmdPort) } });
try {
  await Node.connect(far.name);
  await rpc.call(far.name, FIXTURES, 'startPong', ['pong']);
  const me = self();
  const once = async (n: number) => {
    send({ name: 'pong', node: far.name }, { from: me, n });
    await receive();
  };
  for (let i = 0; i < 2000; i++) await once(i); // warm: compiled before the profile starts

  await rpc.call(far.name, FIXTURES, 'startProfile', [100]);
  const profile = await profiled('the kit', once);
  const farProfile = await rpc.call<Profile>(far.name, FIXTURES, 'stopProfile', [], 60_000);
  print('this side (sends, then waits in receive)', summarise(profile));
  process.stdout.write(`  of "other", the largest: ${topNatives(profile)}\n`);
  print('the far side (receives, answers)', summarise(farProfile));
  process.stdout.write(`  of "other", the largest: ${topNatives(farProfile)}\n`);

  // The floor, profiled the same way on this side: where a bare echo's time goes.
  const echo = await startEchoServers();
  try {
    for (const [what, trip] of [['a bare ws echo', echo.wsTrip], ['a bare TCP echo', echo.tcpTrip]] as const) {
      for (let i = 0; i < 2000; i++) await trip();
      const floor = await profiled(what, () => trip());
      print(`this side of ${what}`, summarise(floor));
      process.stdout.write(`  of "other", the largest: ${topNatives(floor)}\n`);
    }
  } finally {
    echo.close();
  }
} finally {
  await far.stop();
  await Node.stop();
  await EpmdClient.stopUnused(epmdPort);
}
