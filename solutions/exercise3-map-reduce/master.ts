// The master: it cuts a job into map jobs and reduce jobs and hands them, one at
// a time, to the workers that announced themselves: every map job first, then,
// once all of them are done, every reduce job. When the last reduce job is done
// it reads the result from the storage and answers the caller.
//
// Workers die, and the network between master and workers breaks; a message can
// arrive twice, or late. The master learns that a worker has gone only by
// watching it, and it must then hand that worker's task to another one.
//
//   caller --run--> master --task--> worker --writes--> storage
//                   master <--done-- worker
//
// Make the tests pass: npm test -- exercise3 -t "problem 1" (then "problem 2")
import { GenServer, Process, Storage, isDown, sameRef, send, type DownMessage, type From, type Pid, type Ref } from '../../lib/index.ts';
import { isDone, isReady, sameTask, tasks, type Assignment, type Done, type JobSpec, type Pair, type Task } from './job.ts';
import { layout as stageLayout, type Layout } from './layout.ts';
import { retryWhileStorageIsDown } from './retry.ts';

/** A worker the master knows of, and the task it is running, if any. */
export interface Worker {
  pid: Pid;
  /** The monitor the master holds on it. */
  ref: Ref;
  task: Task | undefined;
}

/** The job being run. */
export interface Running {
  spec: JobSpec;
  /** The caller, answered once the job is done. */
  from: From;
  phase: 'map' | 'reduce';
  /** This phase's tasks that wait for a worker. */
  pending: Task[];
  /** The ids of this phase's tasks that are done. */
  finished: Set<number>;
}

export interface MasterState {
  layout: Layout;
  storage: Storage;
  /** The workers, by `String(pid)`. */
  workers: Map<string, Worker>;
  job: Running | undefined;
}

/** What the master answers a run with. */
export type RunReply = { result: Pair[] } | { error: string };

/** Problem 1: a worker announced itself. Count it once however often it says so, and make sure the master will hear if it goes down. */
export function join(state: MasterState, worker: Pid): void {
  if (state.workers.has(String(worker))) return;
  state.workers.set(String(worker), { pid: worker, ref: Process.monitor(worker), task: undefined });
}

/** Problem 1: hands this phase's waiting tasks to the idle workers, one task per worker. */
export function assign(state: MasterState): void {
  const job = state.job;
  if (!job) return;
  for (const worker of state.workers.values()) {
    if (worker.task) continue;
    const task = job.pending.shift();
    if (!task) return;
    worker.task = task;
    send(worker.pid, { type: 'task', job: job.spec, task } satisfies Assignment);
  }
}

/** Problem 1: a worker the master watches went down. Forget it, and make sure its task still gets done. */
export function lost(state: MasterState, down: DownMessage): void {
  const entry = [...state.workers].find(([, w]) => sameRef(w.ref, down.ref));
  if (!entry) return;
  const [id, worker] = entry;
  state.workers.delete(id);
  const job = state.job;
  const task = worker.task;
  if (job && task && task.kind === job.phase && !job.finished.has(task.id)) job.pending.push(task);
}

/**
 * Problem 1: a worker reports a task done. Record it and free the worker for the next task.
 * Problem 2: the same report may arrive twice, or late (after the task went to another worker,
 * even after the master moved on to the reduce jobs, or to the next job); none of that may count
 * twice, or for another phase or job.
 */
export function completed(state: MasterState, done: Done): void {
  const worker = state.workers.get(String(done.worker));
  const job = state.job;
  const ofThisJob = job !== undefined && done.job === job.spec.name;
  // Only the task the worker is on frees it: a late or repeated report (of this job, or of an
  // earlier one with a task of the same number) must not make a busy worker idle.
  if (worker && ofThisJob && sameTask(worker.task, done.task)) worker.task = undefined;
  if (!job || !ofThisJob || done.task.kind !== job.phase) return;
  job.finished.add(done.task.id);
  // It may be waiting for a worker again (its first worker was taken for dead): no need to run it twice.
  job.pending = job.pending.filter((t) => t.id !== done.task.id);
}

/** Moves on when the phase is complete: from the map jobs to the reduce jobs, and from those to the answer. */
async function advance(state: MasterState): Promise<void> {
  const job = state.job;
  if (!job) return;
  const count = job.phase === 'map' ? job.spec.mapJobs : job.spec.reduceJobs;
  if (job.finished.size < count) return;
  if (job.phase === 'map') {
    job.phase = 'reduce';
    job.pending = tasks('reduce', job.spec.reduceJobs);
    job.finished = new Set();
    return;
  }
  state.job = undefined;
  let reply: RunReply;
  try {
    reply = { result: await retryWhileStorageIsDown(() => state.layout.loadResult(state.storage, job.spec.name, job.spec.reduceJobs)) };
  } catch (err) {
    reply = { error: `every reduce job reported done, but the result cannot be read: ${(err as Error).message}` };
  }
  GenServer.reply(job.from, reply);
}

export const Master = {
  name: 'map/reduce master',
  init: ({ layout, storage }: { layout: Layout; storage: Storage }): MasterState => ({ layout, storage, workers: new Map(), job: undefined }),

  async handleCall(request: { run: JobSpec; input: string }, from: From, state: MasterState) {
    const { run: spec, input } = request;
    if (state.job) return { reply: { error: `the master is busy with job ${state.job.spec.name}` } satisfies RunReply, state };
    await state.layout.saveInput(state.storage, spec.name, input, spec.mapJobs);
    state.job = { spec, from, phase: 'map', pending: tasks('map', spec.mapJobs), finished: new Set() };
    assign(state);
    return { noreply: true as const, state };
  },

  async handleInfo(msg: unknown, state: MasterState) {
    if (isReady(msg)) join(state, msg.worker);
    else if (isDone(msg)) {
      completed(state, msg);
      await advance(state);
    } else if (isDown(msg)) lost(state, msg);
    assign(state);
    return { noreply: true as const, state };
  },
};

export interface MasterOptions {
  /** Where the job's data lives (this stage's layout.ts unless given). */
  layout?: Layout;
  /** The storage client (`Storage.connect()` unless given). */
  storage?: Storage;
}

/** Starts the master on this node, registered as 'master'; returns its pid. */
export function startMaster(options: MasterOptions = {}): Promise<Pid> {
  return GenServer.start(Master, { layout: options.layout ?? stageLayout, storage: options.storage ?? Storage.connect() }, { name: 'master' });
}

/** Boots the master when this module is a node's --boot. */
export async function start(): Promise<void> {
  await startMaster();
}

