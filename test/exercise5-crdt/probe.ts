// Functions the stage tests run on the shortener's nodes through rpc.call, to
// look inside a node without the stage's code having to help.
import { GenServer, Node, type NodeName } from '../../lib/index.ts';
import { AGGREGATES, countFor, recordRedirect, syncTo } from '#stage/exercise5-crdt/aggregates.ts';
import { httpPort } from '#stage/exercise5-crdt/shortener.ts';

export const port = (): number => httpPort();

/** countFor(code) on this node, and whether it answered at once (a number) or later (a promise: a round trip). */
export async function countHere(code: string): Promise<{ atOnce: boolean; count: unknown }> {
  const answer: unknown = countFor(code);
  if (answer instanceof Promise) return { atOnce: false, count: await answer };
  return { atOnce: true, count: answer };
}

/** countFor(code) just before and right after recordRedirect(code) on this node, in one go: nothing else runs in between. */
export async function redirectHere(code: string): Promise<{ before: unknown; after: unknown }> {
  const before: unknown = countFor(code);
  recordRedirect(code);
  const after: unknown = countFor(code);
  return { before: await before, after: await after };
}

/**
 * Each node's count of `code`, asked of each node's aggregates server from this
 * node. Messages from one node to another arrive in the order they were sent, so
 * each answer comes after every merge this node sent that node before; this
 * node's own server answers after every nodeup it was told of before.
 */
export async function countsSeenFromHere(code: string, nodes: NodeName[]): Promise<Record<NodeName, number>> {
  const counts: Record<NodeName, number> = {};
  const self = Node.self();
  for (const node of [...nodes.filter((n) => n === self), ...nodes.filter((n) => n !== self)]) counts[node] = await GenServer.call<number>({ name: AGGREGATES, node }, { count: code }, 5_000);
  return counts;
}

/** Runs this node's syncTo(`node`), as its aggregates server does when `node` comes up (the tests point it at the manager, to see what it sends). */
export function syncToNode(node: NodeName): true {
  syncTo(node);
  return true;
}
