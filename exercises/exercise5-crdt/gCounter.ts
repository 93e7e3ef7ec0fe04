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
  // TODO: answer a new counter: `counter` with `delta` added to `node`'s own slot (a node that
  // has no slot yet has counted 0), and every other slot as it was. Leave `counter` itself
  // unchanged. A delta that is negative, or not a whole number, must throw an error that says
  // so: a G-Counter only grows.
  void node;
  void delta;
  return counter;
}

/** One counter that has seen what `a` and `b` have seen: the highest count of each node's slot. */
function merge(a: GCounter, b: GCounter): GCounter {
  // TODO: answer a new counter that has seen everything `a` has seen and everything `b` has
  // seen, slot by slot. Merging a copy that was merged before, or an older copy of the same
  // slots, must change nothing: the same counter may arrive twice, or late.
  void b;
  return a;
}

/** The count: the sum of every node's slot. */
function value(counter: GCounter): number {
  // TODO: the count: what all the nodes counted, together.
  void counter;
  return 0;
}

export const GCounter = { new: empty, increment, merge, value };
