// Stage 3, problem 2, the storage layout on its own, in this process: outputs
// that are empty (an input smaller than the number of map jobs leaves chunks,
// and shares, with nothing in them), an output that a reader finds whole at every
// moment while its task runs a second time (a reduce job, or the master reading
// the result, can come between any two commands of a rerun), and two jobs that
// share one storage. Then a whole job of a single word through the stage's master
// and two workers here.
import { beforeAll, describe, it } from 'vitest';
import { Node, Storage } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { layout } from '#stage/exercise3-map-reduce/layout.ts';
import type { Pair } from '#stage/exercise3-map-reduce/job.ts';
import { inProcess } from '../support/inProcess.ts';
import { startMaster, startWorkers, stopMaster, stopWorkers } from './cluster.ts';
import { IDENTITY, jobName } from './inputs.ts';
import { probeMaster } from './probeMaster.ts';
import { watchJob } from './watchJob.ts';
import { expectEveryLineOnce, expectFinished } from './verdict.ts';

let storage: Storage;
beforeAll(async () => {
  storage = Storage.connect(await LocalCluster.storage());
});

const pair = (key: string, n = 1): Pair => [key, n];
/** What three map jobs made for four reduce jobs: shares with nothing in them, and a map job (an empty chunk) that made nothing at all. */
const SHARES: Pair[][][] = [
  [[pair('apple'), pair('elder')], [pair('banana')], [], [pair('date'), pair('date')]],
  [[], [pair('banana'), pair('fig')], [], [pair('hazel')]],
  [[], [], [], []],
];
const MAP_JOBS = SHARES.length;
const REDUCE_JOBS = 4;
/** What each reduce job made (reduce job 2 had nothing to reduce). */
const OUTPUTS: Pair[][] = [[pair('apple'), pair('elder')], [pair('banana', 2), pair('fig')], [], [pair('date', 2), pair('hazel')]];

const shareOf = (r: number): Pair[] => SHARES.flatMap((shares) => shares[r] ?? []);
const show = (pairs: unknown): string => (Array.isArray(pairs) ? `${pairs.length} pair${pairs.length === 1 ? '' : 's'} ${JSON.stringify(pairs)}` : JSON.stringify(pairs));
const sameMultiset = (got: unknown, expected: Pair[]): boolean =>
  Array.isArray(got) && JSON.stringify(got.map((p) => JSON.stringify(p)).sort()) === JSON.stringify(expected.map((p) => JSON.stringify(p)).sort());

/** What reduce job `r` reads, or why it could not: undefined when it is `expected`. */
async function reduceReads(job: string, r: number): Promise<string | undefined> {
  try {
    const got = await layout.loadReduceInput(storage, job, r, MAP_JOBS);
    return sameMultiset(got, shareOf(r)) ? undefined : `reduce job ${r} read ${show(got)}, expected ${show(shareOf(r))}`;
  } catch (err) {
    return `reduce job ${r} could not read its input: ${(err as Error).message}`;
  }
}

/** What the master reads as the result, or why it could not: undefined when it is every reduce job's output. */
async function resultReads(job: string): Promise<string | undefined> {
  const expected = OUTPUTS.flat();
  try {
    const got = await layout.loadResult(storage, job, REDUCE_JOBS);
    return sameMultiset(got, expected) ? undefined : `the master read ${show(got)} as the result, expected ${show(expected)}`;
  } catch (err) {
    return `the master could not read the result: ${(err as Error).message}`;
  }
}

/** Stores every map job's output and every reduce job's output once, as the tasks of `job` would. */
async function runOnce(job: string): Promise<void> {
  for (const [m, shares] of SHARES.entries()) await layout.saveMapOutput(storage, job, m, shares);
  for (const [r, pairs] of OUTPUTS.entries()) await layout.saveReduceOutput(storage, job, r, pairs);
}

/**
 * The storage as a task running a second time uses it: its commands go one at a time, and
 * after each one that changes something, `look` reads what a reader would find then.
 */
function withReaders(look: () => Promise<string | undefined>): { storage: Storage; found(): string | undefined } {
  let queue: Promise<unknown> = Promise.resolve();
  let found: string | undefined;
  const step = <T>(command: string, send: () => Promise<T>, changes: boolean): Promise<T> => {
    const done = queue.then(async () => {
      const value = await send();
      if (changes && found === undefined) {
        const seen = await look();
        if (seen !== undefined) found = `right after its \`${command}\`, ${seen}`;
      }
      return value;
    });
    queue = done.catch(() => undefined);
    return done;
  };
  return {
    storage: {
      ...storage,
      get: (k) => step(`get ${k}`, () => storage.get(k), false),
      lrange: (k, a, b) => step(`lrange ${k}`, () => storage.lrange(k, a, b), false),
      set: (k, v, o) => step(`set ${k}`, () => storage.set(k, v, o), true),
      del: (k) => step(`del ${k}`, () => storage.del(k), true),
      incr: (k, by) => step(`incr ${k}`, () => storage.incr(k, by), true),
      rpush: (k, ...values) => step(`rpush ${k}`, () => storage.rpush(k, ...values), true),
    },
    found: () => found,
  };
}

/** After one run of every task, every reader finds what the tasks stored. */
async function expectReadBack(job: string): Promise<void> {
  for (let r = 0; r < REDUCE_JOBS; r++) {
    const wrong = await reduceReads(job, r);
    if (wrong) {
      throw new Error(
        `after every map job ran once, ${wrong} (map job 2 had an empty chunk and made no pairs, and some shares of the others are empty: ` +
          'an input smaller than the number of map jobs gives such chunks, and an empty share is an output too)',
      );
    }
  }
  const wrong = await resultReads(job);
  if (wrong) throw new Error(`after every reduce job ran once, ${wrong} (reduce job 2 had nothing to reduce: an empty output is an output too)`);
}

const WHOLE =
  'a second run must leave the output as it was, and whole at every moment: it replaces the output with one command that writes all of it ' +
  '(an output added to is doubled; one removed first, or written in pieces, is missing or partial for whoever reads it in between)';

describe('stage 3: the storage layout', () => {
  it('problem 2: empty outputs are outputs too: every share of every map job, and every reduce output, is read back as stored, empty ones included', () =>
    inProcess(async () => {
      const job = jobName('empty');
      await runOnce(job);
      await expectReadBack(job);
    }));

  it('problem 2: while a task runs a second time, a reader that comes between any two of its commands finds the whole output', () =>
    inProcess(async () => {
      const job = jobName('rerun');
      await runOnce(job);
      await expectReadBack(job);
      for (const [m, shares] of SHARES.entries()) {
        const link = withReaders(async () => {
          for (let r = 0; r < REDUCE_JOBS; r++) {
            const wrong = await reduceReads(job, r);
            if (wrong) return wrong;
          }
          return undefined;
        });
        await layout.saveMapOutput(link.storage, job, m, shares);
        const found = link.found();
        if (found) throw new Error(`while map job ${m} ran a second time, ${found}: ${WHOLE}`);
      }
      for (const [r, pairs] of OUTPUTS.entries()) {
        const link = withReaders(() => resultReads(job));
        await layout.saveReduceOutput(link.storage, job, r, pairs);
        const found = link.found();
        if (found) throw new Error(`while reduce job ${r} ran a second time, ${found}: ${WHOLE}`);
      }
    }));

  it('problem 2: two jobs that share the storage keep their outputs apart', () =>
    inProcess(async () => {
      const [first, second] = [jobName('ours'), jobName('theirs')];
      await runOnce(first);
      // Another job (someone else's, on the same storage) with other words in the same places.
      const rename = (pairs: Pair[]) => pairs.map(([k, v]): Pair => [`${k}-theirs`, v]);
      for (const [m, shares] of SHARES.entries()) await layout.saveMapOutput(storage, second, m, shares.map(rename));
      for (const [r, pairs] of OUTPUTS.entries()) await layout.saveReduceOutput(storage, second, r, rename(pairs));
      const wrong = (await reduceReads(first, 0)) ?? (await resultReads(first));
      if (wrong) throw new Error(`once job ${second} had run on the same storage, ${wrong} for job ${first}: every key a job writes must name the job (a room of workshop laptops shares one storage)`);
    }));

  it('problem 2: a job of a single word, on 4 map jobs and 3 reduce jobs (most chunks and shares empty), through the master and two workers', () =>
    inProcess(async () => {
      // A master that hands out nothing fails here at once, before any worker is started for nothing.
      const unusable = await probeMaster();
      if (unusable) throw new Error(unusable);
      const spec = { name: jobName('one-word'), app: IDENTITY, mapJobs: 4, reduceJobs: 3 };
      const master = { name: 'master', node: Node.self() };
      await startMaster('stage', spec.name);
      try {
        // On a slow link to the storage (each write acknowledged 20 ms late): a task reported before its output is stored is seen as that.
        await startWorkers({ master, layout: 'stage', job: spec.name, app: IDENTITY, workers: 2, slowAcksMs: 20 });
        const outcome = await watchJob(spec, 'hello', { master });
        expectFinished(outcome);
        expectEveryLineOnce(outcome, ['hello']);
      } finally {
        stopWorkers();
        await stopMaster();
      }
    }));
});
