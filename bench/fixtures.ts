// Processes the benchmarks run on the far node, started through rpc.call.
import { Process, receive, send, spawn, type Pid } from '../lib/index.ts';

/** Registered as `name`: sends each message straight back to the pid it carries. */
export function startPong(name: string): Pid {
  return spawn(async () => {
    Process.register(name);
    for (;;) {
      const msg = (await receive()) as { from: Pid; n: number };
      send(msg.from, msg.n);
    }
  });
}

/** Registered as `name`: counts `expected` messages, then tells `reportTo` how long that took. */
export function startSink(name: string, expected: number, reportTo: Pid): Pid {
  return spawn(async () => {
    Process.register(name);
    let count = 0;
    let first = 0;
    let lastSeen = -1;
    let inOrder = true;
    while (count < expected) {
      const n = (await receive()) as number;
      if (count === 0) first = performance.now();
      if (n !== lastSeen + 1) inOrder = false;
      lastSeen = n;
      count++;
    }
    send(reportTo, { done: count, ms: performance.now() - first, inOrder });
  });
}

/** A GenServer registered as `name` that replies to every call with the request. */
export async function startEchoServer(name: string): Promise<Pid> {
  const { GenServer } = await import('../lib/index.ts');
  return GenServer.start({ init: () => null, handleCall: (request: unknown, _from: unknown, state: null) => ({ reply: request, state }) }, undefined, { name });
}

/** A process that waits forever (until killed), for the remote-exit benchmark. */
export function startIdle(): Pid {
  return spawn(() => receive());
}

/** Starts `count` idle processes on this node, for the memory benchmark. */
export function spawnIdle(count: number): number {
  for (let i = 0; i < count; i++) spawn(() => receive());
  return count;
}

/** This OS process's resident set, in MiB. */
export function rssMiB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

// The far side of bench/profileRoundTrip.ts: V8's sampling profiler, started and stopped by rpc,
// so that the profile covers the trips alone.
let profiling: import('node:inspector/promises').Session | undefined;

export async function startProfile(intervalUs: number): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  profiling = new Session();
  profiling.connect();
  await profiling.post('Profiler.enable');
  await profiling.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await profiling.post('Profiler.start');
}

export async function stopProfile(): Promise<unknown> {
  if (!profiling) throw new Error('no profile was started');
  const { profile } = await profiling.post('Profiler.stop');
  profiling.disconnect();
  profiling = undefined;
  return profile;
}
