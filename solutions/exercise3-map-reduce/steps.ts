// The parts of map/reduce that need no network: cutting the input into chunks,
// sharing keys out among the reduce jobs, and reducing. The workers use them on
// their tasks; `runLocally` strings them together in one process.
import type { App, Pair } from './job.ts';

/** Cuts `input` into `chunks` runs of whole lines, as even as can be (some may be empty). */
export function splitInput(input: string, chunks: number): string[] {
  const lines = input === '' ? [] : input.split(/\r?\n/);
  const size = Math.ceil(lines.length / chunks);
  return Array.from({ length: chunks }, (_, i) => lines.slice(i * size, (i + 1) * size).join('\n'));
}

/** Which reduce job a key goes to: a hash of the key (FNV-1a), so every map job sends a key to the same one. */
export function partitionOf(key: string, reduceJobs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % reduceJobs;
}

/** A map job's pairs, shared out: `result[r]` holds the pairs for reduce job r. */
export function partition<V>(pairs: Array<Pair<V>>, reduceJobs: number): Array<Array<Pair<V>>> {
  const shares: Array<Array<Pair<V>>> = Array.from({ length: reduceJobs }, () => []);
  for (const pair of pairs) shares[partitionOf(pair[0], reduceJobs)]?.push(pair);
  return shares;
}

/** Groups pairs by key and reduces each group: one output pair per key, in key order. */
export function reduceAll<V, R>(app: Pick<App<V, R>, 'reduce'>, pairs: Array<Pair<V>>): Array<Pair<R>> {
  const groups = new Map<string, V[]>();
  for (const [key, value] of pairs) {
    const values = groups.get(key);
    if (values) values.push(value);
    else groups.set(key, [value]);
  }
  return [...groups.keys()].sort().map((key) => [key, app.reduce(key, groups.get(key) as V[])]);
}

/** The whole job in this process, one step after the other: what the cluster must agree with. */
export function runLocally<V, R>(app: App<V, R>, input: string, mapJobs = 1): Array<Pair<R>> {
  return reduceAll(app, splitInput(input, mapJobs).flatMap((chunk) => app.map(chunk)));
}
