// Fail fast, before any node is started for nothing: does the stage's master
// hand a task to a worker that announced itself at all? It runs a job of one map
// job on a master in this process, with a storage layout that keeps nothing and
// one worker that only listens. A master that passes this may still be wrong;
// one that fails it makes every cluster test of the file fail at once.
import { GenServer, Node, receive, self, send, spawn, type Storage } from '../../lib/index.ts';
import { startMaster } from '#stage/exercise3-map-reduce/master.ts';
import { isAssignment, type JobSpec } from '#stage/exercise3-map-reduce/job.ts';
import type { Layout } from '#stage/exercise3-map-reduce/layout.ts';

/** Local messages take microseconds; this is for a machine under heavy load. */
const PROBE_MS = 1_000;

const keepsNothing: Layout = {
  saveInput: async () => {},
  loadMapInput: async () => '',
  saveMapOutput: async () => {},
  loadReduceInput: async () => [],
  saveReduceOutput: async () => {},
  loadResult: async () => [],
};

/** Undefined if the master handed the listening worker a task; otherwise what went wrong, in the stage's words. */
export async function probeMaster(): Promise<string | undefined> {
  await startMaster({ layout: keepsNothing, storage: {} as Storage });
  const master = { name: 'master', node: Node.self() };
  try {
    const got = new Promise<boolean>((resolve) => {
      spawn(async () => {
        send(master, { type: 'ready', worker: self() });
        const spec: JobSpec = { name: 'probe', app: 'none', mapJobs: 1, reduceJobs: 1 };
        // The caller's side: the master answers only at the end, which this probe does not wait for.
        spawn(() => GenServer.call(master, { run: spec, input: '' }, PROBE_MS).catch(() => undefined));
        resolve(await receive(isAssignment, PROBE_MS).then(() => true, () => false));
      });
    });
    if (await got) return undefined;
    return `the master handed no task to a worker that announced itself (a job of one map job, on a master in the test's process, within ${PROBE_MS / 1000} s): the master must hand the map jobs to the workers that announced themselves (problem 1)`;
  } finally {
    await GenServer.stop('master').catch(() => undefined);
  }
}
