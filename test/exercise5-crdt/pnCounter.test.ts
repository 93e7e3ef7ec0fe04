// Stage 5, stretch: the PN-Counter, a counter that can go down. Examples (it
// counts both ways, a merge merges each half from both copies, a decrement
// survives merges with copies that never saw it), then the laws every
// state-based CRDT keeps, as properties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { copyTerm } from '../../lib/codec.ts';
import { PNCounter } from '#stage/exercise5-crdt/pnCounter.ts';
import { NODES, history, law, shown, stepText, upsAndDowns, type Op } from './laws.ts';

// The examples' nodes: two names on one host. The laws' nodes (NODES) also share short names across hosts.
const [n1, n2] = ['n1@host', 'n2@host'] as const;
type Counter = ReturnType<typeof PNCounter.new>;

const step = (c: Counter, op: Op): Counter => (op.down ? PNCounter.decrement(c, op.node, op.delta) : PNCounter.increment(c, op.node, op.delta));
const build = (ops: readonly Op[]): Counter => ops.reduce(step, PNCounter.new());
const net = (ops: readonly Op[]): number => ops.reduce((sum, op) => sum + (op.down ? -op.delta : op.delta), 0);

function counts(): string | undefined {
  const two = PNCounter.decrement(PNCounter.increment(PNCounter.new(), n1, 3), n2, 1);
  const seen = [PNCounter.value(two), PNCounter.value(PNCounter.merge(two, PNCounter.new())), PNCounter.value(PNCounter.merge(PNCounter.new(), two))];
  if (seen.every((v) => v === 2)) return undefined;
  return `value(decrement(increment(new(), n1, 3), n2, 1)) is ${seen[0]}, and merged with a new counter on either side ${seen[1]} and ${seen[2]}; expected 2 each time: make the examples pass first`;
}

describe('stage 5, stretch: the PN-Counter, by example', () => {
  it('stretch: a PN-Counter counts up and down, below zero too, and refuses a negative or fractional delta', () => {
    let counter = PNCounter.new();
    let story = 'new()';
    const steps: Array<[Op, number]> = [
      [{ node: n1, delta: 5 }, 5],
      [{ node: n2, delta: 2, down: true }, 3],
      [{ node: n1, delta: 4, down: true }, -1],
      [{ node: n2, delta: 1 }, 0],
    ];
    expect(PNCounter.value(counter), 'value(PNCounter.new()) must be 0').toBe(0);
    let before = 0;
    for (const [op, total] of steps) {
      counter = step(counter, op);
      story += `, ${stepText(op)}`;
      const v = PNCounter.value(counter);
      if (v !== total) {
        const why =
          v === 0 && total < 0
            ? 'the value went no lower than 0, but a PN-Counter counts below zero: more may be taken away than was added, and a decrement may reach a node before the increment it offsets'
            : !op.down && v > before + op.delta
              ? `${stepText(op)} took the value from ${before} to ${v}: it lost what was counted down before. An increment changes the increments half only, and keeps the other as it was`
              : 'the value is everything counted up less everything counted down';
        throw new Error(`after ${story}, value is ${v}, expected ${total}: ${why} (${shown(counter)})`);
      }
      before = v;
    }
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => PNCounter.increment(PNCounter.new(), n1, bad), `increment(counter, n1, ${bad}) must throw: a delta is a whole number, 0 or more`).toThrow();
      expect(() => PNCounter.decrement(PNCounter.new(), n1, bad), `decrement(counter, n1, ${bad}) must throw: the amount taken away is a whole number, 0 or more`).toThrow();
    }
    const copy = copyTerm(counter); // what a send to another node delivers
    expect(PNCounter.value(copy), `a copy through the codec (${shown(copy)}) must count the same`).toBe(0);
  });

  it('stretch: merge merges each half from both counters: what both counted up, and what both counted down', () => {
    // Each half of each copy weighs differently (8, 4, 2, 1), so a wrong value says which halves the merge kept.
    const a = PNCounter.decrement(PNCounter.increment(PNCounter.new(), n1, 8), n1, 2); // n1's copy: 6
    const b = PNCounter.decrement(PNCounter.increment(PNCounter.new(), n2, 4), n2, 1); // n2's copy: 3
    if (PNCounter.value(a) !== 6 || PNCounter.value(b) !== 3) {
      throw new Error(`a = new(), increment(n1, 8), decrement(n1, 2) has the value ${PNCounter.value(a)} and b = new(), increment(n2, 4), decrement(n2, 1) has ${PNCounter.value(b)}, expected 6 and 3: make the first example pass first`);
    }
    const halves = [
      ["a's increments", 8],
      ["b's increments", 4],
      ["a's decrements", -2],
      ["b's decrements", -1],
    ] as const;
    for (const [what, merged] of [
      ['merge(a, b)', PNCounter.merge(a, b)],
      ['merge(b, a)', PNCounter.merge(b, a)],
    ] as const) {
      const v = PNCounter.value(merged);
      if (v === 9) continue;
      // The halves whose weights add up to v are the ones the merge kept.
      const mask = [...Array(16).keys()].find((m) => halves.reduce((sum, [, w], i) => sum + ((m >> i) & 1) * w, 0) === v);
      const left = mask === undefined ? [] : halves.filter((_, i) => ((mask >> i) & 1) === 0).map(([name]) => name);
      throw new Error(
        `${what} has the value ${v}, expected 9 (a = new(), increment(n1, 8), decrement(n1, 2), value 6; b = new(), increment(n2, 4), decrement(n2, 1), value 3; merged: ${shown(merged)}): ` +
          (v === 6 || v === 3
            ? `that is the value of ${v === 6 ? 'a' : 'b'} alone: the merge kept one copy whole and dropped the other. `
            : left.length > 0 && left.length < 4
              ? `that is what both counted without ${left.join(' and ')}: the merge dropped ${left.length === 1 ? 'them' : 'those halves'}. `
              : '') +
          'A PN-Counter\'s merge merges both halves from both counters: the increments of a with those of b, and the decrements of a with those of b, each as a G-Counter merges',
      );
    }
  });

  it('stretch: a decrement is not undone by merging with a copy that never saw it', () => {
    const a = PNCounter.increment(PNCounter.new(), n1, 5); // sent to n2 here
    const later = PNCounter.decrement(a, n1, 2); // n1 takes 2 away afterwards
    if (PNCounter.value(a) !== 5 || PNCounter.value(later) !== 3) {
      throw new Error(`increment(new(), n1, 5) has the value ${PNCounter.value(a)}, and after decrement(…, n1, 2) ${PNCounter.value(later)}; expected 5 and 3: make the first example pass first`);
    }
    for (const [what, merged] of [
      ['merge(later, a)', PNCounter.merge(later, a)],
      ['merge(a, later)', PNCounter.merge(a, later)],
    ] as const) {
      if (PNCounter.value(merged) !== 3) {
        throw new Error(
          `n1 counted 5 up (a copy of that was sent away), then 2 down; ${what}, the new counter merged with the older copy, is ${PNCounter.value(merged)} (${shown(merged)}), expected 3: ` +
            'the decrement was undone by a copy that had not seen it. A merge keeps the highest of each slot, so a slot must never go down: count what is taken away in slots of its own, which only grow',
        );
      }
    }
    const b = PNCounter.decrement(a, n2, 1); // n2 took 1 away at the same time
    expect(PNCounter.value(PNCounter.merge(later, b)), 'n1 took 2 away and n2 took 1 away from 5 at the same time: both count').toBe(2);
  });
});

describe('stage 5, stretch: the PN-Counter\'s laws, as properties', () => {
  const valueOf = (ops: readonly Op[]) => PNCounter.value(build(ops));
  law({
    name: 'stretch: merge is commutative',
    formula: 'value(merge(a, b)) = value(merge(b, a))',
    arbitraries: [upsAndDowns(), upsAndDowns()],
    ready: counts,
    inputs: (a, b) => `a = ${history(a)} and b = ${history(b)}`,
    check: (a, b) => {
      const [ab, ba] = [PNCounter.merge(build(a), build(b)), PNCounter.merge(build(b), build(a))];
      if (PNCounter.value(ab) === PNCounter.value(ba)) return undefined;
      return `merge(a, b) = ${shown(ab)} has the value ${PNCounter.value(ab)}, but merge(b, a) = ${shown(ba)} has ${PNCounter.value(ba)}`;
    },
  });
  law({
    name: 'stretch: merge is associative',
    formula: 'value(merge(merge(a, b), c)) = value(merge(a, merge(b, c)))',
    arbitraries: [upsAndDowns(), upsAndDowns(), upsAndDowns()],
    ready: counts,
    inputs: (a, b, c) => `a = ${history(a)}, b = ${history(b)} and c = ${history(c)}`,
    check: (a, b, c) => {
      const [x, y, z] = [build(a), build(b), build(c)];
      const [left, right] = [PNCounter.merge(PNCounter.merge(x, y), z), PNCounter.merge(x, PNCounter.merge(y, z))];
      if (PNCounter.value(left) === PNCounter.value(right)) return undefined;
      return `merge(merge(a, b), c) = ${shown(left)} has the value ${PNCounter.value(left)}, but merge(a, merge(b, c)) = ${shown(right)} has ${PNCounter.value(right)}`;
    },
  });
  law({
    name: 'stretch: merge is idempotent',
    formula: 'value(merge(a, a)) = value(a)',
    arbitraries: [upsAndDowns()],
    ready: counts,
    inputs: (a) => `a = ${history(a)}`,
    check: (a) => {
      const x = build(a);
      const twice = PNCounter.merge(x, x);
      if (PNCounter.value(twice) === PNCounter.value(x)) return undefined;
      return `a = ${shown(x)} has the value ${PNCounter.value(x)}, but merge(a, a) = ${shown(twice)} has ${PNCounter.value(twice)}: merge is not idempotent, so a copy that arrives twice counts twice; merge each half as a G-Counter does, keeping the highest count of each slot`;
    },
  });

  // A counter's history, then copies that each go on counting up and down on their own node, merged in a generated order.
  const copies = fc
    .tuple(upsAndDowns(4), fc.array(upsAndDowns(4), { minLength: 1, maxLength: NODES.length }))
    .map(([base, own]) => [base, own.map((ops, i) => ops.map((op) => ({ ...op, node: NODES[i] as Op['node'] })))] as const)
    .chain(([base, own]) =>
      fc.tuple(
        fc.constant(base),
        fc.constant(own),
        fc.shuffledSubarray([...own.keys()], { minLength: own.length, maxLength: own.length }),
        fc.array(fc.nat({ max: own.length - 1 }), { maxLength: 3 }),
      ),
    );
  law({
    name: 'stretch: copies merged in any order give the same value',
    formula: 'every increment and decrement on every copy is counted once',
    arbitraries: [copies],
    ready: counts,
    inputs: ([base, own, order, again]) =>
      `a counter ${history(base)}, copied to ${own.length} node${own.length === 1 ? '' : 's'} (${own.map((ops) => history(ops).replace('new()', 'the copy')).join('; ')}), merged in the order ${[...order, ...again].map((i) => NODES[i]).join(', ')}`,
    check: ([base, own, order, again]) => {
      const start = build(base);
      const replicas = own.map((ops) => ops.reduce(step, start));
      const schedule = [...order, ...again];
      const merged = schedule.slice(1).reduce((acc, i) => PNCounter.merge(acc, replicas[i] as Counter), replicas[schedule[0] as number] as Counter);
      const total = valueOf(base) + own.reduce((s, ops) => s + net(ops), 0);
      if (PNCounter.value(merged) === total) return undefined;
      return `the merged counter ${shown(merged)} has the value ${PNCounter.value(merged)}, but the copies counted ${total} in all: a merge lost or repeated some counting (does a slot ever go down?)`;
    },
  });
});
