// Booted by the kit node in Erlang mode that `npm run bench -- --erlang` starts for
// its mixed figure (bench/mixed.ts): asked over its IPC channel, it times round trips
// between one of its processes and a `pong` process on an erl node, the way the kit's
// own figure is timed (bench/kit.ts: send, receive the answer, performance.now()).
import { receive, self, send, spawn, tuple } from '../lib/index.ts';
import { percentile } from './figures.ts';

interface Ask {
  readonly node: string;
  readonly runs: number;
  readonly trips: number;
}

/** One run per `runs`, `trips` round trips each: the p50 and p99 of each run, in µs. */
function roundTrips(ask: Ask): Promise<Array<{ p50: number; p99: number }>> {
  return new Promise((resolve, reject) => {
    spawn(async () => {
      try {
        const runs: Array<{ p50: number; p99: number }> = [];
        const pong = { name: 'pong', node: ask.node };
        for (let r = 0; r < ask.runs; r++) {
          const xs: number[] = [];
          for (let i = 0; i < ask.trips; i++) {
            const t0 = performance.now();
            // Erlang's pong answers {From, I} with I (bench/erlang/distbench.erl's pong/0).
            send(pong, tuple(self(), i));
            await receive((m) => m === i, 10_000);
            xs.push((performance.now() - t0) * 1000);
          }
          runs.push({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
        }
        resolve(runs);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

export function start(): void {
  process.on('message', (m: unknown) => {
    const ask = m as Ask;
    if (typeof ask?.node !== 'string') return;
    roundTrips(ask).then(
      (runs) => process.send?.({ runs }),
      (err: Error) => process.send?.({ error: err.message }),
    );
  });
}
