// Warm-up: a watcher that monitors a process and reports why it went down.
// A monitor turns "that process is gone" into a message:
//   { type: 'DOWN', ref, kind: 'process', object, reason }
// Make the tests pass: npm test -- exercise2 -t "warm-up"
import { Process, isDown, receive, sameRef, type Pid, type RemoteName } from '../../lib/index.ts';

/**
 * Monitors `target` (a pid or `{ name, node }`), waits for it to go down, and says why:
 *   'normal exit'          it returned or exited with 'normal'
 *   'crash: <message>'     it threw an Error
 *   'node down'            its node went away (reason 'noconnection')
 *   'no such process'      it was not running when the monitor was set (reason 'noproc')
 *   'exit: <reason>'       any other exit reason, as JSON
 */
export async function watch(target: Pid | RemoteName): Promise<string> {
  const ref = Process.monitor(target);
  const down = await receive((m) => isDown(m) && sameRef(m.ref, ref));
  return explain((down as { reason: unknown }).reason);
}

export function explain(reason: unknown): string {
  if (reason === 'normal') return 'normal exit';
  if (reason === 'noconnection') return 'node down';
  if (reason === 'noproc') return 'no such process';
  if (reason instanceof Error) return `crash: ${reason.message}`;
  return `exit: ${JSON.stringify(reason)}`;
}
