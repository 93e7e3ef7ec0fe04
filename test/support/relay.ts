// Stand-ins for a stage's servers, so a test can see the calls the learner's
// code makes and decide which to answer: were they made all at once, and does
// the code cope with one that never answers?
import { GenServer, rpc, receive, self, send, spawn, type NodeName } from '../../lib/index.ts';
import { PROBE, type Relayed } from './probe.ts';

const isRelayed = (name: string) => (m: unknown): m is Relayed =>
  typeof m === 'object' && m !== null && (m as Relayed).relayed === name;

interface Finished<T> {
  readonly finished: { value: T } | { error: string };
}
const isFinished = (tag: string) => (m: unknown): m is Finished<unknown> & { tag: string } =>
  typeof m === 'object' && m !== null && 'finished' in m && (m as { tag?: unknown }).tag === tag;

/** Replaces the server registered as `name` on each of `nodes` by a relay to the calling (test) process. */
export async function relayCalls(name: string, nodes: NodeName[]): Promise<void> {
  for (const node of nodes) {
    await GenServer.stop({ name, node }).catch(() => undefined);
    await rpc.call(node, PROBE, 'startRelay', [name, self()]);
  }
}

export interface Gathered<T> {
  /** The calls that reached the relays, by node. */
  readonly asked: Map<NodeName, Relayed>;
  /** What `act` returned (or threw), if it finished while the calls were being gathered. */
  readonly finished: { value: T } | { error: string } | undefined;
  /** Waits (up to `withinMs`) for `act` to finish; undefined if it did not. */
  outcome(withinMs: number): Promise<{ value: T } | { error: string } | undefined>;
}

let counter = 0;

/**
 * Runs `act` in a process of its own and gathers the calls that reach the relays
 * of `name` on `nodes`, answering none, until each node has been called, `act` has
 * finished, or `withinMs` has passed. Calls made all at once arrive within
 * milliseconds of each other, whatever their timeout; code that waits for one
 * answer before the next call makes the next call only after that wait.
 */
export async function gatherCalls<T>(name: string, nodes: NodeName[], act: () => Promise<T>, withinMs = 3_000): Promise<Gathered<T>> {
  const me = self();
  const tag = `act${process.pid}.${counter++}`;
  spawn(async () => {
    try {
      send(me, { tag, finished: { value: await act() } });
    } catch (err) {
      send(me, { tag, finished: { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } });
    }
  });
  const asked = new Map<NodeName, Relayed>();
  let finished: Gathered<T>['finished'];
  const deadline = Date.now() + withinMs;
  while (!finished && nodes.some((n) => !asked.has(n))) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const msg = await receive((m) => isRelayed(name)(m) || isFinished(tag)(m), remaining).catch(() => undefined);
    if (msg === undefined) break;
    if (isRelayed(name)(msg)) asked.set(msg.node, msg);
    else finished = (msg as Finished<T>).finished;
  }
  return {
    asked,
    finished,
    async outcome(within: number) {
      if (finished) return finished;
      const msg = await receive(isFinished(tag), within).catch(() => undefined);
      finished = (msg as Finished<T> | undefined)?.finished;
      return finished;
    },
  };
}

/** Answers a relayed call. */
export function answer(call: Relayed | undefined, value: unknown): void {
  if (call) GenServer.reply(call.from, value);
}

