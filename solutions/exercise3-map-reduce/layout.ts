// Where a job's data lives in the storage. Workers never send their results to
// the master: a map job writes what it made for each reduce job, a reduce job
// reads those and writes its own output, and the master reads the reduce
// outputs at the end. The master hands each task out *at least once*, so any
// of these writes may happen twice, or once from a worker that then died
// before it could say so. Problem 2 is to make a second run harmless.
//
// Make the tests pass: npm test -- exercise3 -t "problem 2"
import type { Storage } from '../../lib/index.ts';
import type { Pair } from '#stage/exercise3-map-reduce/job.ts';
import { splitInput } from '#stage/exercise3-map-reduce/steps.ts';

/** `key('wc', 'input', 3)` is `mr/wc/input/3`: every key of a job starts with its name. */
const key = (job: string, ...parts: Array<string | number>): string => ['mr', job, ...parts].join('/');

/** Stores the input as `mapJobs` chunks of whole lines, one per map job (the master does this once, before any task). */
export async function saveInput(storage: Storage, job: string, input: string, mapJobs: number): Promise<void> {
  await Promise.all(splitInput(input, mapJobs).map((chunk, m) => storage.set(key(job, 'input', m), chunk)));
}

/** The chunk of input that map job `mapId` works on. */
export async function loadMapInput(storage: Storage, job: string, mapId: number): Promise<string> {
  const chunk = await storage.get(key(job, 'input', mapId));
  if (chunk === null) throw new Error(`job ${job} has no input for map job ${mapId}`);
  return chunk;
}

/**
 * Problem 2: stores what map job `mapId` made for each reduce job (`shares[r]` is for reduce job r), empty shares too.
 * Running it twice must change nothing. The worker reports the task done as soon as it returns: by then every write is stored.
 */
export async function saveMapOutput(storage: Storage, job: string, mapId: number, shares: Pair[][]): Promise<void> {
  // One key per (map job, reduce job), named by those two alone, and a set that replaces:
  // a second run writes the same keys with the same content.
  await Promise.all(shares.map((pairs, r) => storage.set(key(job, 'map', mapId, r), JSON.stringify(pairs))));
}

/** Problem 2: everything the `mapJobs` map jobs made for reduce job `reduceId`, each map job's output counted once. */
export async function loadReduceInput(storage: Storage, job: string, reduceId: number, mapJobs: number): Promise<Pair[]> {
  const outputs = await Promise.all(Array.from({ length: mapJobs }, (_, m) => storage.get(key(job, 'map', m, reduceId))));
  return outputs.flatMap((text, m) => {
    if (text === null) throw new Error(`reduce job ${reduceId} of ${job} started before map job ${m} wrote its output`);
    return JSON.parse(text) as Pair[];
  });
}

/** Problem 2: stores reduce job `reduceId`'s output (empty or not). Running it twice must change nothing; it returns once the output is stored. */
export async function saveReduceOutput(storage: Storage, job: string, reduceId: number, pairs: Pair[]): Promise<void> {
  await storage.set(key(job, 'reduce', reduceId), JSON.stringify(pairs));
}

/** Problem 2: the job's result, every reduce job's output together (the master reads it once all are done). */
export async function loadResult(storage: Storage, job: string, reduceJobs: number): Promise<Pair[]> {
  const outputs = await Promise.all(Array.from({ length: reduceJobs }, (_, r) => storage.get(key(job, 'reduce', r))));
  return outputs.flatMap((text, r) => {
    if (text === null) throw new Error(`reduce job ${r} of ${job} has no output`);
    return JSON.parse(text) as Pair[];
  });
}

/** The layout as one value, so the master and the workers can be handed another (problem 1's tests use the kit's own). */
export const layout = { saveInput, loadMapInput, saveMapOutput, loadReduceInput, saveReduceOutput, loadResult };
export type Layout = typeof layout;
