// Warm-up: the deck's first steps, written as small functions with the library.
// Each one is what you would type in two `distsys shell` terminals, made testable.
// Make the tests pass: npm test -- exercise1 -t "warm-up"
import { Node, Process, isPid, receive, self, send, spawn, type NodeName, type Pid } from '../../lib/index.ts';

/** Connects this node to each of `nodes`, then returns every node it is connected to, sorted. */
export async function connectAll(nodes: NodeName[]): Promise<NodeName[]> {
  // TODO: connect this node to each of `nodes`, waiting for each connection. Then return
  // every node this node is connected to, sorted (a name nobody holds is not among them).
  void nodes;
  return [];
}

/** Whether `node` answers a ping ('pong'), rather than not ('pang'). */
export async function isUp(node: NodeName): Promise<boolean> {
  // TODO: true when `node` is running and answers, false when it does not. Never throws.
  void node;
  return false;
}

/** What a listener answers: what it heard, and on which node. */
export interface Heard {
  heard: string;
  on: NodeName;
}

/** What a listener serves: `{ from, text }`, from a process that waits for the answer. */
export interface Request {
  from: Pid;
  text: string;
}

/**
 * Spawns a process that registers itself as `name` and, for every `{ from, text }`
 * it receives, sends `{ heard: text, on: <its node> }` back to `from`.
 */
export function startListener(name: string): Pid {
  // TODO: start a process that registers itself as `name` and, for as long as it lives,
  // answers every { from, text } it receives by sending { heard: text, on: <its node> } to
  // `from`. Other messages may be waiting in its mailbox: they must neither stop it nor be
  // taken for a request.
  void name;
  return spawn(async () => {});
}

/** Sends `text` to the listener registered as `name` on `node` and waits (up to `timeoutMs`) for its answer. */
export async function callListener(name: string, node: NodeName, text: string, timeoutMs = 2_000): Promise<Heard> {
  // TODO: send { from: <the calling process>, text } to the listener `name` on `node` and
  // return its answer. Any other message waiting in the caller's mailbox stays there, and
  // if no answer comes within `timeoutMs`, give up (throw).
  void [name, node, text, timeoutMs];
  return { heard: '', on: '' };
}

/**
 * Tries to connect to `node` with this node's cookie, then sets the cookie to `cookie`
 * and tries again. Returns both outcomes (a node with another cookie refuses the first).
 */
export async function connectWithCookie(node: NodeName, cookie: string): Promise<{ before: boolean; after: boolean }> {
  // TODO: try to connect to `node`; then make `cookie` this node's cookie and try again.
  // Return both outcomes.
  void [node, cookie];
  return { before: false, after: false };
}
