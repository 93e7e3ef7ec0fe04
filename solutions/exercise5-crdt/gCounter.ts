// Problem 1: a grow-only counter (G-Counter), the simplest conflict-free
// replicated data type. Every node keeps a copy; a node only ever adds to its
// own slot; two copies combine with merge, which keeps the highest count of each
// slot; the value is the sum of the slots.
//
//   { 'shortener1@host': 3, 'shortener2@host': 1 }     value 4
//
// Merge is commutative, associative and idempotent, so copies that exchange
// their state in any order, any number of times, end up equal. The functions
// never change the counter they are given: they answer a new one (an Elixir map
// cannot change either), so a copy that was sent or stored stays what it was.
//
// A counter is a plain object, so it crosses between nodes through the codec as it is.
//
// Make the tests pass: npm test -- exercise5 -t "problem 1"
import type { NodeName } from '../../lib/index.ts';

/** A G-Counter: each node's own count, by node name. A node that never counted has no slot (0). */
export type GCounter = Readonly<Record<NodeName, number>>;

/** A counter that has counted nothing. */
function empty(): GCounter {
  return {};
}

/**
 * `counter` with `delta` more counted by `node` (in `node`'s slot only). A
 * negative or fractional delta throws: a G-Counter only grows, by whole steps.
 */
function increment(counter: GCounter, node: NodeName, delta = 1): GCounter {
  if (!Number.isSafeInteger(delta) || delta < 0) {
    throw new RangeError(`GCounter.increment: delta must be a whole number, 0 or more (a G-Counter only grows), not ${delta}`);
  }
  return { ...counter, [node]: (counter[node] ?? 0) + delta };
}

/** One counter that has seen what `a` and `b` have seen: the highest count of each node's slot. */
function merge(a: GCounter, b: GCounter): GCounter {
  const nodes = new Set([...Object.keys(a), ...Object.keys(b)]);
  return Object.fromEntries([...nodes].map((node) => [node, Math.max(a[node] ?? 0, b[node] ?? 0)]));
}

/** The count: the sum of every node's slot. */
function value(counter: GCounter): number {
  return Object.values(counter).reduce((sum, count) => sum + count, 0);
}

export const GCounter = { new: empty, increment, merge, value };
