// Runs a job on the stage's master and watches it through the evidence of
// what master and workers did, so that a test never waits longer than it must:
// it ends when the master answers, or as soon as the job has made no progress
// for STALL_MS (nothing taken, written or read), which a working master never
// allows.
import { vi } from 'vitest';
import { CallError, Storage, formatReason, type RemoteName } from '../../lib/index.ts';
import { mapReduce } from '#stage/exercise3-map-reduce/mapReduce.ts';
import type { JobSpec, Pair } from '#stage/exercise3-map-reduce/job.ts';
import { readEvidence, record, type Evidence } from './evidence.ts';

/** A task takes milliseconds, seconds on a machine under heavy load; this long without anything happening is a job that will not finish. */
export const STALL_MS = 4_000;
/** How long the first task may take to be handed out once the master has stored the input. */
export const FIRST_TASK_MS = 1_500;
/** The same, once a master in this test file has handed out no task at all: it is known not to. */
const FIRST_TASK_AGAIN_MS = 500;
let neverAssigned = false;
/** The longest any job may take, stalled or not. */
export const BOUND_MS = 25_000;
/** How often the evidence is read: often enough to end a test soon, rarely enough not to slow the storage down. */
const POLL_MS = 100;

export interface Outcome {
  spec: JobSpec;
  /** The master's answer, if it answered. */
  result?: Pair[];
  /** The master's answer when it is an error (the job failed, in the master's words). */
  error?: string;
  /** Why the call to the master failed, if it did: the master crashed, did not answer in time, or could not be reached. */
  failure?: string;
  /** The job made no progress for STALL_MS (or had no task handed out within `firstTaskMs` of storing the input). */
  stalled: boolean;
  /** How long the first task was waited for. */
  firstTaskMs: number;
  /** Everything the workers did, in the storage's order (with 'answered' where the answer came). */
  events: Evidence[];
}

export interface Progress {
  /** Waits until `count` more outputs were written than when it was called, or the watch is over (the job ended or stalled). */
  written(count: number): Promise<void>;
  /** Waits until `check` accepts the evidence, or the watch is over (the job ended or stalled); whether it accepted it. */
  until(check: (events: Evidence[]) => boolean): Promise<boolean>;
  /** Whether the watch is over: the master answered, the run failed, or the job stalled. */
  over(): boolean;
}

export interface WatchOptions {
  master: RemoteName;
  /** Runs beside the job (partitions, say); the job's end does not wait for it, the outcome does. */
  during?: (progress: Progress) => Promise<void>;
}

export async function watchJob(spec: JobSpec, input: string, options: WatchOptions): Promise<Outcome> {
  const storage = Storage.connect();
  // Fail fast: a master that handed out nothing in an earlier test of this file is not waited for as long.
  const firstTaskMs = neverAssigned ? FIRST_TASK_AGAIN_MS : FIRST_TASK_MS;
  const outcome: Outcome = { spec, stalled: false, firstTaskMs, events: [] };
  let over = false; // the run settled
  let watched = false; // the watch ended (settled or stalled)
  const run = mapReduce(spec, input, { master: options.master, timeoutMs: BOUND_MS }).then(
    (result) => {
      outcome.result = result;
    },
    (err: Error) => {
      if (err instanceof CallError) outcome.failure = callFailure(err);
      else outcome.error = err.message;
    },
  );
  void run.finally(() => {
    over = true;
  });

  let events: Evidence[] = [];
  let lastChange = Date.now();
  const look = async () => {
    const now = await readEvidence(storage, spec.name);
    if (now.length !== events.length) lastChange = Date.now();
    events = now;
    return events;
  };
  const writtenCount = () => events.filter((e) => e.event === 'written').length;

  const progress: Progress = {
    over: () => over || watched,
    async written(count) {
      const target = writtenCount() + count;
      await vi
        .waitFor(
          async () => {
            await look();
            if (!over && !watched && writtenCount() < target) throw new Error('not yet');
          },
          // As long as the job makes progress: the watch below ends (and with it this wait) once it stalls.
          { timeout: BOUND_MS, interval: POLL_MS },
        )
        .catch(() => undefined);
    },
    async until(check) {
      await vi
        .waitFor(
          async () => {
            await look();
            if (!over && !watched && !check(events)) throw new Error('not yet');
          },
          { timeout: BOUND_MS, interval: POLL_MS },
        )
        .catch(() => undefined);
      return check(events);
    },
  };
  const beside = options.during?.(progress);

  await vi
    .waitFor(
      async () => {
        if (over) return;
        await look();
        // Once the master has read the result, the answer is on its way: only the bound applies.
        const seen = (event: Evidence['event']) => events.some((e) => e.event === event);
        const idle = seen('read') ? BOUND_MS : seen('taken') ? STALL_MS : seen('stored') ? firstTaskMs : BOUND_MS;
        if (Date.now() - lastChange > idle) {
          outcome.stalled = true;
          return;
        }
        throw new Error('still running');
      },
      { timeout: BOUND_MS, interval: POLL_MS },
    )
    .catch(() => {
      outcome.stalled = true;
    });
  watched = true;
  // Only an answer is one: a call that failed (a crash, a timeout) is noted as that, not as the master answering.
  if (over) await record(storage, spec.name, outcome.failure === undefined ? { worker: 'manager', event: 'answered' } : { worker: 'manager', event: 'failed', reason: outcome.failure });
  await beside;
  outcome.events = await readEvidence(storage, spec.name);
  if (outcome.stalled && !outcome.events.some((e) => e.event === 'taken')) neverAssigned = true;
  return outcome;
}

/** Why a call to the master failed, in the stage's words. */
function callFailure(err: CallError): string {
  const reason = err.reason;
  if (typeof reason === 'object') return reason.exit instanceof Error ? `the master crashed: ${formatReason(reason.exit)}` : `the master stopped: ${formatReason(reason.exit as string)}`;
  if (reason === 'timeout') return `the master did not answer within ${BOUND_MS / 1000} s (the call timed out)`;
  if (reason === 'noproc') return 'there was no master to call (noproc): it had crashed or stopped';
  return "the master's node could not be reached (nodedown)";
}
