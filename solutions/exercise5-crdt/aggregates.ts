// How many times each short link was followed, counted on every node with no
// coordination: one G-Counter per short code in every node's table.
//
// Problem 2, counting:
//   recordRedirect(code)  a redirect served here: add one to this node's slot, then
//                         send the whole counter to the other nodes as a merge
//   mergeCounter(code, c) a counter another node sent: merge it into this node's copy
//   countFor(code)        what GET /<code>/aggregates answers: this node's table, read
//                         directly (like an ETS table), never a round trip
// Problem 3, converging after a partition:
//   syncTo(node)          a node came up (a newcomer, or one back from a partition):
//                         send it every counter this node holds
//
// The table lives in this node's memory. Other nodes reach it through the server
// registered as 'aggregates' on every node (given below), which merges what they
// send and tells syncTo about nodeup.
//
// Make the tests pass: npm test -- exercise5 -t "problem 2" (then "problem 3").
import { inspect } from 'node:util';
import { z } from 'zod';
import { GenServer, NetKernel, Node, type From, type NodeName } from '../../lib/index.ts';
import { GCounter } from './gCounter.ts';

/** The name of every node's aggregates server. */
export const AGGREGATES = 'aggregates';

/** What one node sends another: a short code's counter, to merge into its copy. */
export interface Merge {
  merge: { code: string; counter: GCounter };
}

/** This node's table: a G-Counter per short code. Only this module writes it. */
const table = new Map<string, GCounter>();

/**
 * Problem 2: a redirect of `code` was served on this node. Counts it in this
 * node's own slot of the code's counter, then sends the counter to the server
 * on every other connected node as a Merge.
 */
export function recordRedirect(code: string): void {
  const counter = GCounter.increment(table.get(code) ?? GCounter.new(), Node.self());
  table.set(code, counter);
  const message: Merge = { merge: { code, counter } };
  GenServer.abcast(AGGREGATES, message, Node.list());
}

/**
 * Problem 2: another node sent its counter of `code`. Merges it into this
 * node's copy. The same merge may arrive twice, or after a newer one: neither
 * may change the count.
 */
export function mergeCounter(code: string, counter: GCounter): void {
  table.set(code, GCounter.merge(table.get(code) ?? GCounter.new(), counter));
}

/** Problem 2: the redirects of `code` this node knows of, from its own table at once (0 for a code it never heard of). */
export function countFor(code: string): number {
  const counter = table.get(code);
  return counter === undefined ? 0 : GCounter.value(counter);
}

/**
 * Problem 3: `node` just came up (it joined, or a partition between us healed).
 * Sends it every counter this node holds, each as a Merge, so that it learns
 * what it missed while it could not hear us.
 */
export function syncTo(node: NodeName): void {
  for (const [code, counter] of table) {
    const message: Merge = { merge: { code, counter } };
    GenServer.cast({ name: AGGREGATES, node }, message);
  }
}

// What crosses between nodes is checked before it reaches the table.
const mergeMessage = z.object({
  merge: z.object({ code: z.string().min(1), counter: z.record(z.string(), z.number().int().nonnegative()) }),
});

/** What the server answers: the count of one code (after every message it received before). */
export type AggregatesRequest = { count: string };

/** The aggregates server (given): the door through which other nodes reach this node's table. */
export const AggregatesServer = {
  name: AGGREGATES,
  init(): null {
    NetKernel.monitorNodes(true); // nodeup and nodedown arrive as messages, in handleInfo
    return null;
  },
  handleCast(msg: unknown, state: null) {
    const parsed = mergeMessage.safeParse(msg);
    if (parsed.success) mergeCounter(parsed.data.merge.code, parsed.data.merge.counter);
    else console.error(`[${Node.self()}] aggregates: ignored a message that is not a merge: ${inspect(msg, { depth: 4, breakLength: Infinity }).slice(0, 200)}`);
    return { noreply: true as const, state };
  },
  handleCall(request: AggregatesRequest, _from: From, state: null) {
    if (typeof request?.count === 'string') return { reply: countFor(request.count), state };
    return { reply: { error: 'unknown request' }, state };
  },
  handleInfo(msg: unknown, state: null) {
    const event = msg as { type?: unknown; node?: unknown };
    if (event?.type === 'nodeup' && typeof event.node === 'string') syncTo(event.node);
    return { noreply: true as const, state };
  },
};
