// Stretch: a counter that can go down (PN-Counter). A G-Counter cannot: its merge
// keeps the highest count of each slot, so a slot that went down on one copy comes
// back up from any copy that had not seen the decrement yet. The way out is to
// never let anything go down: count the increments and the decrements in two
// G-Counters, each of which only grows, and subtract at the end.
//
//   increments { n1: 5, n2: 2 }   decrements { n1: 1, n2: 3 }   value 3
//
// Both halves merge as G-Counters do, so the PN-Counter keeps their three laws.
//
// Make the tests pass: npm test -- exercise5 -t "stretch"
import type { NodeName } from '../../lib/index.ts';
import { GCounter } from './gCounter.ts';

/** A PN-Counter: what each node added, and what each node took away. */
export interface PNCounter {
  readonly increments: GCounter;
  readonly decrements: GCounter;
}

/** A counter at 0. */
function empty(): PNCounter {
  return { increments: GCounter.new(), decrements: GCounter.new() };
}

/** `counter` with `delta` more counted up by `node` (a whole number, 0 or more). */
function increment(counter: PNCounter, node: NodeName, delta = 1): PNCounter {
  return { increments: GCounter.increment(counter.increments, node, delta), decrements: counter.decrements };
}

/** `counter` with `delta` counted down by `node` (a whole number, 0 or more: the amount taken away). */
function decrement(counter: PNCounter, node: NodeName, delta = 1): PNCounter {
  return { increments: counter.increments, decrements: GCounter.increment(counter.decrements, node, delta) };
}

/** One counter that has seen what `a` and `b` have seen. */
function merge(a: PNCounter, b: PNCounter): PNCounter {
  return { increments: GCounter.merge(a.increments, b.increments), decrements: GCounter.merge(a.decrements, b.decrements) };
}

/** Everything counted up, less everything counted down (it may be negative). */
function value(counter: PNCounter): number {
  return GCounter.value(counter.increments) - GCounter.value(counter.decrements);
}

export const PNCounter = { new: empty, increment, decrement, merge, value };
