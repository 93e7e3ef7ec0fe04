// Warm-up: the deck's first steps, written as small functions with the library.
// Each one is what you would type in two `distsys shell` terminals, made testable.
// Make the tests pass: npm test -- exercise1 -t "warm-up"
import { Node, Process, isPid, receive, self, send, spawn, type NodeName, type Pid } from '../../lib/index.ts';

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
  const isRequest = (m: unknown): m is Request =>
    typeof m === 'object' && m !== null && isPid((m as Request).from) && typeof (m as Request).text === 'string';
  return spawn(async () => {
    Process.register(name);
    for (;;) {
      // Only the messages it serves: anything else stays in the mailbox, harmless.
      const { from, text } = await receive(isRequest);
      send(from, { heard: text, on: Node.self() } satisfies Heard);
    }
  });
}

/** Sends `text` to the listener registered as `name` on `node` and waits (up to `timeoutMs`) for its answer. */
export async function callListener(name: string, node: NodeName, text: string, timeoutMs = 2_000): Promise<Heard> {
  // Only the answer to this request: a late answer to an earlier call that gave up may be waiting.
  const isHeard = (m: unknown): m is Heard => typeof m === 'object' && m !== null && (m as Heard).heard === text && (m as Heard).on === node;
  send({ name, node }, { from: self(), text } satisfies Request);
  return receive(isHeard, timeoutMs);
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
