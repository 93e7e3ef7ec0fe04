// A storage layout that tells on whoever uses it: when the master has stored
// the input, when a worker takes a task and when it has written a task's output
// (evidence.ts). It can also make a worker die, or stop in the middle of a task
// until the test lets it go on, at a chosen moment: that is how the tests stage
// "a worker that dies after 3 tasks" or "a report that comes late" without any
// help from the stage's code.
import { Node, Process, Storage, self } from '../../lib/index.ts';
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

/** A short name for the calling process: `mr1.12`. */
export const workerLabel = (): string => `${Node.self().split('@')[0]}.${self().id}`;

const holding = new Map<string, Array<() => void>>();

/** Lets every worker of `job` on this node that is holding a task go on. */
export function release(job: string): void {
  for (const go of holding.get(job) ?? []) go();
  holding.delete(job);
}

export function observedLayout(base: Layout, job: string, death?: Death, hold?: Hold): Layout {
  const storage = Storage.connect();
  let takes = 0;
  let writes = 0;
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
    if (death?.onTake !== undefined && ++takes >= death.onTake) await die();
    if (await claim(kind, id)) await new Promise<void>((go) => holding.set(job, [...(holding.get(job) ?? []), go]));
  };
  const written = async (kind: 'map' | 'reduce', id: number) => {
    await note({ event: 'written', kind, id });
    if (death?.afterWrites !== undefined && ++writes >= death.afterWrites) await die();
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
      await base.saveMapOutput(s, name, mapId, shares);
      if (name === job) await written('map', mapId);
    },
    async loadReduceInput(s, name, reduceId, mapJobs) {
      if (name === job) await taken('reduce', reduceId);
      return base.loadReduceInput(s, name, reduceId, mapJobs);
    },
    async saveReduceOutput(s, name, reduceId, pairs) {
      await base.saveReduceOutput(s, name, reduceId, pairs);
      if (name === job) await written('reduce', reduceId);
    },
  };
}
