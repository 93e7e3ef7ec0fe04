// What happened to a job, in the order the storage saw it: the master has
// stored the input; each worker writes a line to a list in the storage when it
// starts, takes a task (reads its input), has written a task's output, and is
// about to die on purpose, or stops holding its task; the test cuts a node off
// the network; the master starts and ends reading the result; the test notes
// when the master answered. The
// storage runs one command at a time, so the list is one order for everyone,
// and it outlives a worker killed with -9.
import type { Storage } from '../../lib/index.ts';

export type EventKind =
  | 'stored'
  | 'started'
  | 'taken'
  | 'holding'
  | 'written'
  | 'unacknowledged'
  | 'dying'
  | 'crashed'
  | 'cut'
  | 'reading'
  | 'read'
  | 'answered'
  | 'failed';

export interface Evidence {
  /** The worker, as `<node>.<process>`: `mr1.12` (or `master`, `manager`). */
  worker: string;
  event: EventKind;
  kind?: 'map' | 'reduce';
  id?: number;
  /** For 'cut': the node cut off, as its short name. */
  node?: string;
  /** For 'crashed': why the worker crashed, as its node logs it; for 'failed': why the call to the master failed. */
  reason?: string;
  /** For 'unacknowledged': how many of the task's writes were not acknowledged yet when its layout function returned. */
  count?: number;
}

/** The storage key of a job's evidence. */
export const evidenceKey = (job: string): string => `evidence/${job}`;

export async function record(storage: Storage, job: string, evidence: Evidence): Promise<void> {
  await storage.rpush(evidenceKey(job), JSON.stringify(evidence));
}

export async function readEvidence(storage: Storage, job: string): Promise<Evidence[]> {
  return (await storage.lrange(evidenceKey(job), 0, -1)).map((line) => JSON.parse(line) as Evidence);
}
