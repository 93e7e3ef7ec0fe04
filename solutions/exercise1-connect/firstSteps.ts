// Warm-up: the deck's first steps, written as small functions with the library.
// Each one is what you would type in two `distsys shell` terminals, made testable.
// Make the tests pass: npm test -- exercise1 -t "warm-up"
import { Node, receive, self, send, spawn, Process, type NodeName, type Pid } from '../../lib/index.ts';

/** Connects this node to each of `nodes`, then returns every node it is connected to, sorted. */
export async function connectAll(nodes: NodeName[]): Promise<NodeName[]> {
  for (const node of nodes) await Node.connect(node);
  return [...Node.list()].sort();
}

/** Whether `node` answers a ping ('pong'), rather than not ('pang'). */
export async function isUp(node: NodeName): Promise<boolean> {
  return (await Node.ping(node)) === 'pong';
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
  return spawn(async () => {
    Process.register(name);
    for (;;) {
      const { from, text } = (await receive()) as { from: Pid; text: string };
      send(from, { heard: text, on: Node.self() } satisfies Heard);
    }
  });
}

/** Sends `text` to the listener registered as `name` on `node` and waits (up to `timeoutMs`) for its answer. */
export async function callListener(name: string, node: NodeName, text: string, timeoutMs = 2_000): Promise<Heard> {
  send({ name, node }, { from: self(), text });
  return receive<Heard>((m): m is Heard => typeof m === 'object' && m !== null && 'heard' in m, timeoutMs);
}

/**
 * Tries to connect to `node` with this node's cookie, then sets the cookie to `cookie`
 * and tries again. Returns both outcomes (a node with another cookie refuses the first).
 */
export async function connectWithCookie(node: NodeName, cookie: string): Promise<{ before: boolean; after: boolean }> {
  const before = await Node.connect(node);
  Node.setCookie(cookie);
  const after = await Node.connect(node);
  return { before, after };
}
