// What the tests start on the cluster's nodes (through rpc.call) and on the
// manager: the stage's master and the stage's workers, with observed layouts.
// Problem 1 grades the master alone, so there master and workers use the kit's
// own layout (solutions/), not the learner's layout.ts of problem 2.
import { GenServer, Process, Storage, formatReason, isDown, receive, sameRef, spawn, type DownMessage, type Pid, type RemoteName } from '../../lib/index.ts';
import { startMaster as stageMaster } from '#stage/exercise3-map-reduce/master.ts';
import { startWorker } from '#stage/exercise3-map-reduce/worker.ts';
import { layout as stageLayout, type Layout } from '#stage/exercise3-map-reduce/layout.ts';
import { layout as kitLayout } from '../../solutions/exercise3-map-reduce/layout.ts';
import { observedLayout, release as releaseHeld, type Death, type Hold } from './observedLayout.ts';
import { record } from './evidence.ts';

export const CLUSTER = import.meta.url;

/** Points this node's `Storage.connect()` at the storage (the node may have started before it). */
export function useStorage(url: string): true {
  process.env.DISTSYS_STORAGE_URL = url;
  return true;
}

/** 'kit': the kit's own layout (problem 1); 'stage': the one in the target's layout.ts (problem 2). */
export type LayoutChoice = 'kit' | 'stage';
const layouts: Record<LayoutChoice, Layout> = { kit: kitLayout, stage: stageLayout };

export interface WorkerPlan {
  master: RemoteName;
  layout: LayoutChoice;
  /** The job whose tasks are observed. */
  job: string;
  /** Its application module, loaded before the job starts so a first task is not slowed by it. */
  app: string;
  /** How many workers run side by side on this node. */
  workers: number;
  death?: Death;
  /** Stop holding a task, as `Hold` says, until `release(job)`. */
  hold?: Hold;
  /** Start a new worker each time one dies (a stream of workers). */
  stream?: boolean;
  /** Put the workers on a slow link to the storage: each write is acknowledged this many ms late (see observedLayout). */
  slowAcksMs?: number;
}

const running = new Set<Pid>();

function launch(plan: WorkerPlan): Pid {
  const pid = startWorker({ master: plan.master, layout: observedLayout(layouts[plan.layout], plan.job, plan.death, plan.hold, plan.slowAcksMs) });
  running.add(pid);
  noteCrash(pid, plan.job);
  return pid;
}

/** Notes in the job's evidence why a worker crashed (a task that threw), as its node logs it, so that a failing test can say so. */
function noteCrash(pid: Pid, job: string): void {
  spawn(async () => {
    const ref = Process.monitor(pid);
    const down = (await receive((m) => isDown(m) && sameRef(m.ref, ref))) as DownMessage;
    if (down.reason instanceof Error) await record(Storage.connect(), job, { worker: labelOf(pid), event: 'crashed', reason: formatReason(down.reason) });
  });
}

/** Starts the workers of `plan` on this node; with `stream`, each one that dies is replaced. */
export async function startWorkers(plan: WorkerPlan): Promise<number> {
  const storage = Storage.connect();
  await import(plan.app);
  for (let i = 0; i < plan.workers; i++) {
    if (!plan.stream) {
      const pid = launch(plan);
      await record(storage, plan.job, { worker: labelOf(pid), event: 'started' });
      continue;
    }
    const keeper = spawn(async () => {
      for (;;) {
        const pid = launch(plan);
        await record(storage, plan.job, { worker: labelOf(pid), event: 'started' });
        const ref = Process.monitor(pid);
        await receive((m) => isDown(m) && sameRef(m.ref, ref));
        running.delete(pid);
      }
    });
    running.add(keeper);
  }
  return plan.workers;
}

const labelOf = (pid: Pid): string => `${pid.node.split('@')[0]}.${pid.id}`;

/** Lets the workers of `job` on this node that hold a task go on. */
export function release(job: string): true {
  releaseHeld(job);
  return true;
}

/** Stops every worker (and stream) this node started. */
export function stopWorkers(): true {
  for (const pid of running) Process.exit(pid, 'kill');
  running.clear();
  return true;
}

/** Starts the stage's master on this node with the chosen layout, observed for `job`. */
export async function startMaster(layout: LayoutChoice, job: string): Promise<true> {
  await stageMaster({ layout: observedLayout(layouts[layout], job) });
  return true;
}

export async function stopMaster(): Promise<true> {
  await GenServer.stop('master').catch(() => undefined);
  return true;
}

