// A worker (given): it tells the master it is ready, then runs each task the
// master sends it and reports it done. It writes what a task makes to the
// storage, never to the master, so a report is small and the work survives the
// master. When it loses the master (the master died, or the network between
// them broke) it keeps announcing itself until the master hears it again.
//
// Start workers on a node with `npx distsys node --sname w1 --boot #stage/exercise3-map-reduce/worker.ts`
// (MAPREDUCE_MASTER names the master's node), or call `startWorker` yourself.
import { Process, Storage, isDown, receive, sameRef, self, send, spawn, type Pid, type RemoteName } from '../../lib/index.ts';
import { isAssignment, type App, type Assignment, type Done, type JobSpec, type Ready } from './job.ts';
import { layout as stageLayout, type Layout } from '#stage/exercise3-map-reduce/layout.ts';
import { retryWhileStorageIsDown } from './retry.ts';
import { partition, reduceAll } from './steps.ts';

/** How long a worker that lost its master waits before it announces itself again. */
const RETRY_MS = 50;

export interface WorkerOptions {
  /** The master: `{ name: 'master', node }`. */
  master: RemoteName;
  /** Where tasks read and write (this stage's layout.ts unless given). */
  layout?: Layout;
}

/** Starts one worker process on this node; returns its pid. */
export function startWorker(options: WorkerOptions): Pid {
  return spawn(() => work(options.master, options.layout ?? stageLayout), { label: 'map/reduce worker' });
}

async function work(master: RemoteName, layout: Layout): Promise<never> {
  const storage = Storage.connect();
  for (;;) {
    // Watch the master, then say we are here: if it is unreachable the DOWN comes at once.
    const ref = Process.monitor(master);
    send(master, { type: 'ready', worker: self() } satisfies Ready);
    for (;;) {
      const msg = await receive((m) => isAssignment(m) || (isDown(m) && sameRef(m.ref, ref)));
      if (!isAssignment(msg)) break;
      // A task that throws crashes the worker: the master sees it go down and hands the task to another.
      // A storage that is down for a moment is waited out: the task runs again from the start.
      await retryWhileStorageIsDown(() => runTask(msg, storage, layout));
      send(master, { type: 'done', worker: self(), job: msg.job.name, task: msg.task } satisfies Done);
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** Runs one task: reads its input from the storage, applies the job's map or reduce, and writes the output. */
export async function runTask({ job, task }: Assignment, storage: Storage, layout: Layout): Promise<void> {
  const app = await loadApp(job);
  if (task.kind === 'map') {
    const chunk = await layout.loadMapInput(storage, job.name, task.id);
    await layout.saveMapOutput(storage, job.name, task.id, partition(app.map(chunk), job.reduceJobs));
  } else {
    const pairs = await layout.loadReduceInput(storage, job.name, task.id, job.mapJobs);
    await layout.saveReduceOutput(storage, job.name, task.id, reduceAll(app, pairs));
  }
}

async function loadApp(job: JobSpec): Promise<App> {
  const app = (await import(job.app)) as Partial<App>;
  if (typeof app.map !== 'function' || typeof app.reduce !== 'function') throw new Error(`${job.app} must export map and reduce (job ${job.name})`);
  return app as App;
}

/** Boots a worker when this module is a node's --boot: its master is `master` on the node MAPREDUCE_MASTER names. */
export function start(): void {
  const node = process.env.MAPREDUCE_MASTER;
  if (!node) throw new Error('set MAPREDUCE_MASTER to the node that runs the master (e.g. master@myhost)');
  startWorker({ master: { name: 'master', node } });
}

