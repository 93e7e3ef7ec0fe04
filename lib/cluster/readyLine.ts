// The line a kit process writes on stdout once it serves, and that its parent
// waits for: `ready <node name>` from `distsys node`, `storage ready <url>` from
// `distsys storage`. The child and the parent both take it from here, so the
// two cannot drift apart.

export interface ReadyLine {
  /** The whole line the child writes, `value` included. */
  say(value: string): string;
  /** Finds the line in what the child wrote so far; its first group is the value. */
  readonly pattern: RegExp;
}

function readyLine(prefix: string): ReadyLine {
  return { say: (value) => `${prefix} ${value}\n`, pattern: new RegExp(`^${prefix} (\\S+)\\r?$`, 'm') };
}

/** A headless node is up under the name it gives. */
export const NODE_READY = readyLine('ready');
/** The storage answers at the URL it gives (its token included). */
export const STORAGE_READY = readyLine('storage ready');
