// From test results to problems: a problem is solved when every test of it ran
// and passed. Shared by the stage tests' reporter (the line a red run ends on,
// what goes to the room), `npm run grade` and the room.
import { STRETCH, problemRank, stageNumber } from './lessons.ts';

/** One learner-facing test's outcome. */
export interface ProblemTest {
  /** `exercise1-connect` */
  readonly stage: string;
  /** `warm-up`, `problem 2`, `stretch` */
  readonly problem: string;
  readonly passed: boolean;
  /** The first line of its failure (what the test said), when it failed. */
  readonly headline?: string | undefined;
}

export interface ProblemResult {
  readonly stage: string;
  readonly problem: string;
  /** Tests of the problem that passed, and that failed. */
  readonly passed: number;
  readonly failed: number;
  /** The headline of its first failing test, in the order the tests ran. */
  readonly headline?: string | undefined;
}

export const solved = (r: ProblemResult): boolean => r.failed === 0 && r.passed > 0;

/** Lesson order: stage by stage, the warm-up, problem 1, 2, …, the stretch last. */
export function lessonOrder(a: { stage: string; problem: string }, b: { stage: string; problem: string }): number {
  return stageNumber(a.stage) - stageNumber(b.stage) || problemRank(a.problem) - problemRank(b.problem);
}

/** Groups tests by stage and problem, in lesson order. */
export function byProblem(tests: Iterable<ProblemTest>): ProblemResult[] {
  const found = new Map<string, { stage: string; problem: string; passed: number; failed: number; headline?: string | undefined }>();
  for (const t of tests) {
    const key = `${t.stage}\u0000${t.problem}`;
    const r = found.get(key) ?? { stage: t.stage, problem: t.problem, passed: 0, failed: 0 };
    found.set(key, r);
    if (t.passed) r.passed++;
    else {
      r.failed++;
      r.headline ??= t.headline;
    }
  }
  return [...found.values()].sort(lessonOrder);
}

/** The problem to work on: the first unsolved one in lesson order (the stretch only when nothing else is left). */
export function firstUnsolved(results: readonly ProblemResult[]): ProblemResult | undefined {
  const open = [...results].sort(lessonOrder).filter((r) => !solved(r));
  return open.find((r) => r.problem !== STRETCH) ?? open[0];
}
