// What the master, the workers and the storage layout share: a job, the map and
// reduce jobs it is cut into, and the messages between master and workers.
import { isPid, type Pid } from '../../lib/index.ts';

/** A key and its value, as a map emits them and a reduce writes them. */
export type Pair<V = unknown> = [key: string, value: V];

/**
 * A map/reduce application: a module that exports `map` and `reduce`. Code never
 * crosses between nodes, so a job names the module and each worker imports it.
 */
export interface App<V = unknown, R = unknown> {
  /** Turns one chunk of the input (some whole lines) into key/value pairs. */
  map(chunk: string): Array<Pair<V>>;
  /** Turns every value emitted for one key into that key's output value. */
  reduce(key: string, values: V[]): R;
}

export interface JobSpec {
  /** Names the job: every key it writes in the storage starts with it. */
  name: string;
  /** The module of its map and reduce, as a worker imports it: `#stage/exercise3-map-reduce/wordCount.ts`, a file URL. */
  app: string;
  /** How many map jobs (chunks of the input) and reduce jobs (shares of the keys). */
  mapJobs: number;
  reduceJobs: number;
}

/** One map job or one reduce job of a job: `{ kind: 'map', id: 3 }` is map job 3 (ids count from 0). */
export interface Task {
  kind: 'map' | 'reduce';
  id: number;
}

/** master -> worker: run this task of this job. */
export interface Assignment {
  type: 'task';
  job: JobSpec;
  task: Task;
}

/** worker -> master: I am here and idle (sent when a worker starts, and again whenever it has lost the master). */
export interface Ready {
  type: 'ready';
  worker: Pid;
}

/** worker -> master: I ran this task and its output is in the storage. */
export interface Done {
  type: 'done';
  worker: Pid;
  job: string;
  task: Task;
}

const isObject = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null;
const isTask = (t: unknown): t is Task => isObject(t) && (t.kind === 'map' || t.kind === 'reduce') && typeof t.id === 'number';

export const isAssignment = (m: unknown): m is Assignment => isObject(m) && m.type === 'task' && isObject(m.job) && isTask(m.task);
export const isReady = (m: unknown): m is Ready => isObject(m) && m.type === 'ready' && isPid(m.worker);
export const isDone = (m: unknown): m is Done => isObject(m) && m.type === 'done' && isPid(m.worker) && typeof m.job === 'string' && isTask(m.task);

/** The tasks of one phase: `tasks('map', 3)` is map jobs 0, 1 and 2. */
export function tasks(kind: Task['kind'], count: number): Task[] {
  return Array.from({ length: count }, (_, id) => ({ kind, id }));
}

export const sameTask = (a: Task | undefined, b: Task | undefined): boolean => a !== undefined && b !== undefined && a.kind === b.kind && a.id === b.id;

/** "map job 3", for logs and messages. */
export const describeTask = (t: Task): string => `${t.kind} job ${t.id}`;
