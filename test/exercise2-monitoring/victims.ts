// Processes for the watcher's tests to watch, started on other nodes through rpc.
import { receive, spawn, type Pid } from '../../lib/index.ts';

/** Throws Error(message) when it gets any message. */
export function crashOnMessage(message: string): Pid {
  return spawn(async () => {
    await receive();
    throw new Error(message);
  });
}

/** Waits forever. */
export function sleeper(): Pid {
  return spawn(() => receive());
}

/** Answers at once: a round trip to this node, behind whatever it sent before. */
export function here(): true {
  return true;
}
