// Riding out a storage that is down for a moment (given). The kit's storage can
// be killed and restarted, and a real one can be cut off by the network; while it
// is gone every command fails with a StorageError that says so. A worker's task
// and the master's final read are safe to run again from the start, because the
// tasks are idempotent (problem 2): so they wait and try again, for a while,
// instead of crashing. Any other failure is not retried: it is a bug to see.
import { StorageError } from '../../lib/index.ts';

/** The failures that say the storage could not be reached (or did not answer), not that it refused. */
const TRANSIENT = new Set<StorageError['reason']>(['unreachable', 'timeout', 'broken']);

/** How long a storage that cannot be reached is waited for before the failure is let through. */
export const STORAGE_PATIENCE_MS = 15_000;

/** Runs `attempt`, and again after a pause (50 ms, doubling up to 1 s) each time the storage cannot be reached, for at most `patienceMs`. */
export async function retryWhileStorageIsDown<T>(attempt: () => Promise<T>, patienceMs = STORAGE_PATIENCE_MS): Promise<T> {
  const giveUpAt = Date.now() + patienceMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1_000)) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof StorageError) || !TRANSIENT.has(err.reason) || Date.now() + pause > giveUpAt) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
