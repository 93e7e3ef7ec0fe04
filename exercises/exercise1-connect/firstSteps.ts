// Warm-up: the deck's first steps, written as small functions with the library.
// Each one is what you would type in two `distsys shell` terminals, made testable.
// Make the tests pass: npm test -- exercise1 -t "warm-up"
import { Node, receive, self, send, spawn, Process, type NodeName, type Pid } from '../../lib/index.ts';

/** Connects this node to each of `nodes`, then returns every node it is connected to, sorted. */
export async function connectAll(nodes: NodeName[]): Promise<NodeName[]> {
  // TODO: connect to each node in `nodes` (Node.connect), then return Node.list(), sorted.
  return [];
}

/** Whether `node` answers a ping ('pong'), rather than not ('pang'). */
export async function isUp(node: NodeName): Promise<boolean> {
  // TODO: ping the node (Node.ping) and say whether it answered 'pong'.
  return false;
}

/** What a listener answers: what it heard, and on which node. */
export interface Heard {
  heard: string;
  on: NodeName;
}

/**
 * Spawns a process that registers itself as `name` and, for every `{ from, text }`
 * it receives, sends `{ heard: text, on: <its node> }` back to `from`.
 */
export function startListener(name: string): Pid {
  // TODO: spawn a process that registers itself as `name` (Process.register), then, forever,
  // receives { from, text } and sends { heard: text, on: Node.self() } back to `from`.
  return spawn(async () => {});
}

/** Sends `text` to the listener registered as `name` on `node` and waits (up to `timeoutMs`) for its answer. */
export async function callListener(name: string, node: NodeName, text: string, timeoutMs = 2_000): Promise<Heard> {
  // TODO: send { from: self(), text } to { name, node }, then receive the answer (a message with
  // a `heard` field), waiting at most `timeoutMs`.
  return { heard: '', on: '' };
}

/**
 * Tries to connect to `node` with this node's cookie, then sets the cookie to `cookie`
 * and tries again. Returns both outcomes (a node with another cookie refuses the first).
 */
export async function connectWithCookie(node: NodeName, cookie: string): Promise<{ before: boolean; after: boolean }> {
  // TODO: try Node.connect(node); then Node.setCookie(cookie) and try again.
  return { before: false, after: false };
}
