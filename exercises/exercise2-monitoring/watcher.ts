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
  // TODO: monitor `target` (Process.monitor), wait for the DOWN message with that ref
  // (receive with a matcher: isDown(m) && sameRef(m.ref, ref)), and explain its reason.
  void target;
  return 'TODO';
}

export function explain(reason: unknown): string {
  // TODO: turn an exit reason into the words listed above watch().
  return `TODO: explain ${String(reason)}`;
}
