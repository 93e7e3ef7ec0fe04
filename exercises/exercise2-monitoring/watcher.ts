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
  // TODO: start watching `target`, wait for the DOWN message of this watch, and explain its
  // reason. Other messages may be waiting in the mailbox, DOWN messages of other monitors
  // among them (even of the same target): they must stay where they are.
  void target;
  return 'TODO';
}

export function explain(reason: unknown): string {
  // TODO: turn an exit reason into the words listed above watch().
  return `TODO: explain ${String(reason)}`;
}
