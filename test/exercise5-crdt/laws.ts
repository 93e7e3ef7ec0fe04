// Property-based tests, in the stage's words. fast-check generates many cases
// (histories of increments on a few nodes), checks a law on each, and on a
// failure shrinks the case to a small one. A failing law then says which law,
// on which counters (how each was built, and what it holds), what came out, and
// the seed that replays the same cases.
import fc from 'fast-check';
import { inspect } from 'node:util';
import { it } from 'vitest';

/**
 * The nodes the generated histories count on: two with the same short name on two
 * hosts (in a room of laptops everyone may call their node shortener1), and two on
 * the same host. A slot named by less than the whole node name mixes two of them up.
 */
export const NODES = ['shortener1@a', 'shortener1@b', 'shortener2@a'] as const;

/** How many cases fast-check runs per law. */
export const RUNS = 1000;

/** One step of a history: `node` counts `delta` up (or down, for a PN-Counter). */
export interface Op {
  readonly node: string;
  readonly delta: number;
  readonly down?: boolean;
}

/** A history of up to `max` increments by any node, by 0 to 9 each. */
export const increments = (max = 6): fc.Arbitrary<Op[]> =>
  fc.array(fc.record({ node: fc.constantFrom(...NODES), delta: fc.integer({ min: 0, max: 9 }) }), { maxLength: max });

/** A history of up to `max` increments and decrements by any node. */
export const upsAndDowns = (max = 6): fc.Arbitrary<Op[]> =>
  fc.array(fc.record({ node: fc.constantFrom(...NODES), delta: fc.integer({ min: 0, max: 9 }), down: fc.boolean() }), { maxLength: max });

/** One step as the learner would write it: `increment(shortener1@a, 2)` (whole names: two nodes share a short name). */
export const stepText = (op: Op): string => `${op.down ? 'decrement' : 'increment'}(${op.node}, ${op.delta})`;

/** A history as the learner would write it: `new(), increment(shortener1@a, 2), decrement(shortener1@b, 1)`. */
export function history(ops: readonly Op[]): string {
  return ['new()', ...ops.map(stepText)].join(', ');
}

/** A counter's content, on one line. */
export const shown = (counter: unknown): string => inspect(counter, { depth: 4, breakLength: Infinity, compact: true });

/** Thrown by a law's check when the law does not hold for the case: its message says how. */
class LawBroken extends Error {}

function seedForRun(): number {
  const fromEnv = process.env.DISTSYS_SEED;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv) | 0;
  return (Math.random() * 2 ** 31) | 0;
}

export interface Law<Ts extends unknown[]> {
  /** The test's name, which starts with its problem: `problem 1: merge is commutative`. */
  readonly name: string;
  /** The law in a formula, added to the test's title. */
  readonly formula: string;
  readonly arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };
  /** Describes a case's inputs, for a failure: `a = new(), increment(shortener1@a, 2)`. */
  readonly inputs: (...args: Ts) => string;
  /** undefined when the law holds for this case, otherwise what went wrong, in the stage's words. */
  readonly check: (...args: Ts) => string | undefined;
  /** Run first, once: a reason the law cannot be checked yet (the counter does not count), or undefined. */
  readonly ready?: () => string | undefined;
}

/**
 * Checks a law on RUNS generated cases (seed: DISTSYS_SEED, else random); on a
 * failure, throws an error that names the law, the shrunk counterexample, what
 * came out, and how to replay it.
 */
export function checkLaw<Ts extends unknown[]>(law: Law<Ts>): { runs: number; seed: number } {
  const notReady = law.ready?.();
  if (notReady !== undefined) throw new Error(`${law.name} cannot be checked yet: ${notReady}`);
  const seed = seedForRun();
  const property = fc.property(...(law.arbitraries as unknown as [fc.Arbitrary<unknown>]), (...args: unknown[]) => {
    const typed = args as Ts;
    let why: string | undefined;
    try {
      why = law.check(...typed);
    } catch (err) {
      why = `the counter's code threw ${(err as Error)?.name ?? 'an error'}: ${(err as Error)?.message ?? String(err)}`;
    }
    if (why !== undefined) throw new LawBroken(`fails for ${law.inputs(...typed)}:\n  ${why}`);
  });
  const details = fc.check(property, { seed, numRuns: RUNS });
  if (!details.failed) return { runs: details.numRuns, seed };
  const broken = details.errorInstance instanceof LawBroken ? details.errorInstance.message : `fast-check stopped: ${String(details.errorInstance ?? 'it gave up')}`;
  throw new Error(
    `law broken: ${law.name.replace(/^[^:]+: /, '')} (${law.formula}) ${broken}\n` +
      `  fast-check found this counterexample after ${details.numRuns} case${details.numRuns === 1 ? '' : 's'} and shrank it ${details.numShrinks} time${details.numShrinks === 1 ? '' : 's'} (seed ${details.seed}, path ${details.counterexamplePath}).\n` +
      `  Replay the same cases: DISTSYS_SEED=${details.seed} npm test -- exercise5 -t "${law.name}"`,
  );
}

/** A test that checks a law: `problem 1: merge is commutative (a property: value(merge(a, b)) = value(merge(b, a)))`. */
export function law<Ts extends unknown[]>(spec: Law<Ts>): void {
  it(`${spec.name} (a property: ${spec.formula})`, () => {
    checkLaw(spec);
  });
}
