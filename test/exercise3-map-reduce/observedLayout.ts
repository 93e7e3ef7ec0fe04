// A storage layout that tells on whoever uses it: when the master has stored
// the input, when a worker takes a task and when it has written a task's output
// (evidence.ts). It can also make a worker die, or stop in the middle of a task
// until the test lets it go on, at a chosen moment: that is how the tests stage
// "a worker that dies after 3 tasks" or "a report that comes late" without any
// help from the stage's code. And it can put the worker on a slow link to the
// storage, where a write is acknowledged a moment after it is sent: a task whose
// layout function returns before its writes are acknowledged has its worker
// report it done while its output is still on the way, and the worker then dies
// with those writes (its node killed, -9, if the plan says so), as a real node could.
import { Node, Process, Storage, self, type Storage as StorageClient } from '../../lib/index.ts';
import type { Layout } from '#stage/exercise3-map-reduce/layout.ts';
import { record, type Evidence } from './evidence.ts';

export interface Death {
  /** Die right after writing the output of this many tasks (before reporting the last one done). */
  afterWrites?: number;
  /** Die on taking this many tasks (holding the last one, with nothing written). */
  onTake?: number;
  /** 'node': kill -9 of the whole node; 'process': only the worker process is killed. */
  how: 'node' | 'process';
}

/**
 * Stops two workers, each holding a task, until `release(job)` is called on its node: the first
 * worker (on any node) to take a map job whose id is `mapFrom` or more, and the first other worker
 * to take a reduce job. The roles are claimed in the storage, so it does not matter which worker
 * the master hands what.
 */
export interface Hold {
  mapFrom: number;
}

/** A storage on a slow link: every write is sent `ms` late. `drop()` keeps those not sent yet from ever leaving (their node is about to die). */
function slowLink(storage: StorageClient, ms: number): { storage: StorageClient; unacknowledged(): number; drop(): void } {
  let pending = 0;
  let dropped = false;
  const late = <T>(send: () => Promise<T>): Promise<T> => {
    pending += 1;
    return new Promise<T>((resolve, reject) => {
      setTimeout(() => {
        if (dropped) return;
        // Acknowledged: counted off before the caller hears of it.
        send().then(
          (value) => {
            pending -= 1;
            resolve(value);
          },
          (err: unknown) => {
            pending -= 1;
            reject(err);
          },
        );
      }, ms);
    });
  };
  return {
    storage: {
      ...storage,
      set: (k, v, o) => late(() => storage.set(k, v, o)),
      del: (k) => late(() => storage.del(k)),
      incr: (k, by) => late(() => storage.incr(k, by)),
      rpush: (k, ...values) => late(() => storage.rpush(k, ...values)),
    },
    unacknowledged: () => pending,
    drop: () => {
      dropped = true;
    },
  };
}

/** A short name for the calling process: `mr1.12`. */
export const workerLabel = (): string => `${Node.self().split('@')[0]}.${self().id}`;

const holding = new Map<string, Array<() => void>>();

/** Lets every worker of `job` on this node that is holding a task go on. */
export function release(job: string): void {
  for (const go of holding.get(job) ?? []) go();
  holding.delete(job);
}

export function observedLayout(base: Layout, job: string, death?: Death, hold?: Hold, slowAcksMs?: number): Layout {
  const storage = Storage.connect();
  let takes = 0;
  let writes = 0;
  /** A task of this worker was reported done while some of its writes were still on the way. */
  let reportedTooSoon = false;
  const note = (evidence: Omit<Evidence, 'worker'>) => record(storage, job, { worker: workerLabel(), ...evidence });

  const die = async (): Promise<never> => {
    await note({ event: 'dying' });
    if (death?.how === 'node') process.kill(process.pid, 'SIGKILL');
    // The worker process ends here; what it would have done next (its 'done' report) never happens.
    return Process.exitSelf('kill');
  };
  let heldMap = false;
  const claim = async (kind: 'map' | 'reduce', id: number): Promise<boolean> => {
    if (!hold || (kind === 'map' && id < hold.mapFrom) || (kind === 'reduce' && heldMap)) return false;
    if (!(await storage.set(`hold/${job}/${kind}`, workerLabel(), { nx: true }))) return false;
    if (kind === 'map') heldMap = true;
    await note({ event: 'holding', kind, id });
    return true;
  };
  const taken = async (kind: 'map' | 'reduce', id: number) => {
    await note({ event: 'taken', kind, id });
    // Its last report went out before its output was stored: the node dies now, with the writes still on the way.
    if (reportedTooSoon) await die();
    if (death?.onTake !== undefined && ++takes >= death.onTake) await die();
    if (await claim(kind, id)) await new Promise<void>((go) => holding.set(job, [...(holding.get(job) ?? []), go]));
  };
  const written = async (kind: 'map' | 'reduce', id: number) => {
    await note({ event: 'written', kind, id });
    if (death?.afterWrites !== undefined && ++writes >= death.afterWrites) await die();
  };

  /** Runs a layout function that writes on a slow link, if there is one; notes the writes it left unacknowledged. */
  const writing = async (kind: 'map' | 'reduce', id: number, s: StorageClient, write: (s: StorageClient) => Promise<void>) => {
    if (slowAcksMs === undefined) return write(s);
    const link = slowLink(s, slowAcksMs);
    await write(link.storage);
    const count = link.unacknowledged();
    if (count === 0) return;
    link.drop();
    reportedTooSoon = true;
    await note({ event: 'unacknowledged', kind, id, count });
  };

  return {
    ...base,
    async saveInput(s, name, input, mapJobs) {
      await base.saveInput(s, name, input, mapJobs);
      if (name === job) await record(storage, job, { worker: 'master', event: 'stored' });
    },
    async loadResult(s, name, reduceJobs) {
      if (name === job) await record(storage, job, { worker: 'master', event: 'reading' });
      const result = await base.loadResult(s, name, reduceJobs);
      if (name === job) await record(storage, job, { worker: 'master', event: 'read' });
      return result;
    },
    async loadMapInput(s, name, mapId) {
      if (name === job) await taken('map', mapId);
      return base.loadMapInput(s, name, mapId);
    },
    async saveMapOutput(s, name, mapId, shares) {
      if (name !== job) return base.saveMapOutput(s, name, mapId, shares);
      await writing('map', mapId, s, (link) => base.saveMapOutput(link, name, mapId, shares));
      await written('map', mapId);
    },
    async loadReduceInput(s, name, reduceId, mapJobs) {
      if (name === job) await taken('reduce', reduceId);
      return base.loadReduceInput(s, name, reduceId, mapJobs);
    },
    async saveReduceOutput(s, name, reduceId, pairs) {
      if (name !== job) return base.saveReduceOutput(s, name, reduceId, pairs);
      await writing('reduce', reduceId, s, (link) => base.saveReduceOutput(link, name, reduceId, pairs));
      await written('reduce', reduceId);
    },
  };
}
