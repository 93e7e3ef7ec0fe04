// A storage layout that tells on whoever uses it: when the master has stored
// the input, when a worker takes a task and when it has written a task's output
// (evidence.ts); and it can make a worker die at a chosen moment, which is how
// the tests stage "a worker that dies after 3 tasks" without any help from the
// stage's code.
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

/** A short name for the calling process: `mr1.12`. */
export const workerLabel = (): string => `${Node.self().split('@')[0]}.${self().id}`;

export function observedLayout(base: Layout, job: string, death?: Death): Layout {
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
  const taken = async (kind: 'map' | 'reduce', id: number) => {
    await note({ event: 'taken', kind, id });
    if (death?.onTake !== undefined && ++takes >= death.onTake) await die();
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
