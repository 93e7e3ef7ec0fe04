// From tests to problems, and the words that send a learner to one: a problem
// is solved when every test of it ran and passed; the one to start with is the
// first unsolved in lesson order (the optional stretch last); a lesson's
// problems come from its headings; a test file's stage from its folder; grade's
// progress lines are told apart from anything else a run prints.
import { describe, expect, it } from 'vitest';
import { byProblem, firstUnsolved } from '../../tools/problemResults.ts';
import { lessonHeading, problemsOf, stageOfTestFile, stages, startLine } from '../../tools/lessons.ts';
import { PROGRESS_PREFIX, progressOf } from '../../tools/progressEvents.ts';

const S1 = 'exercise1-connect';
const S5 = 'exercise5-crdt';

describe('problems', () => {
  it('groups tests by problem in lesson order, counting passes and failures, with the first failure said', () => {
    const results = byProblem([
      { stage: S5, problem: 'stretch', passed: false, headline: 'decrement' },
      { stage: S1, problem: 'problem 2', passed: true },
      { stage: S1, problem: 'problem 2', passed: false, headline: 'first' },
      { stage: S1, problem: 'problem 2', passed: false, headline: 'second' },
      { stage: S1, problem: 'warm-up', passed: true },
    ]);
    expect(results).toEqual([
      { stage: S1, problem: 'warm-up', passed: 1, failed: 0 },
      { stage: S1, problem: 'problem 2', passed: 1, failed: 2, headline: 'first' },
      { stage: S5, problem: 'stretch', passed: 0, failed: 1, headline: 'decrement' },
    ]);
    expect(firstUnsolved(results)).toMatchObject({ stage: S1, problem: 'problem 2' });
  });

  it('starts with the stretch only when nothing else is left, and with nothing when all is green', () => {
    expect(firstUnsolved(byProblem([{ stage: S5, problem: 'problem 3', passed: true }, { stage: S5, problem: 'stretch', passed: false }]))).toMatchObject({ problem: 'stretch' });
    expect(firstUnsolved(byProblem([{ stage: S1, problem: 'warm-up', passed: true }]))).toBeUndefined();
  });
});

describe('lessons', () => {
  it("a stage's problems are its lesson's headings, in order", () => {
    expect(problemsOf(S1)).toEqual([
      { problem: 'warm-up', heading: 'Warm-up: first steps' },
      { problem: 'problem 1', heading: 'Problem 1: broadcast' },
      { problem: 'problem 2', heading: 'Problem 2: collect' },
    ]);
    expect(problemsOf(S5).map((p) => p.problem).at(-1)).toBe('stretch');
    for (const stage of stages()) expect(problemsOf(stage).length, stage).toBeGreaterThan(1);
    expect(lessonHeading(S1, 'problem 9')).toBeUndefined();
  });

  it('the line to start with names the problem, its heading and file, and the hint command', () => {
    expect(startLine(S1, 'problem 1')).toBe('Start with exercise1-connect, problem 1: read "Problem 1: broadcast" in exercises/exercise1-connect/README.md#problem-1-broadcast; stuck? npm run hint -- exercise1 "problem 1"');
  });

  it("a test file's stage is its folder under test/", () => {
    expect(stageOfTestFile('/home/ada/kit/test/exercise3-map-reduce/master.test.ts')).toBe('exercise3-map-reduce');
    expect(stageOfTestFile('test/exercise1-connect/pingPong.test.ts')).toBe(S1);
    expect(stageOfTestFile('C:\\kit\\test\\exercise2-monitoring\\watcher.test.ts')).toBe('exercise2-monitoring');
    expect(stageOfTestFile('test/lib/exercise1-connect/x.test.ts')).toBeUndefined();
    expect(stageOfTestFile('exercises/exercise1-connect/pingPong.ts')).toBeUndefined();
  });
});

describe("grade's progress lines", () => {
  it('are read after their prefix, checked, and anything else is not one', () => {
    expect(progressOf(`${PROGRESS_PREFIX}{"kind":"planned","files":["/kit/test/a.test.ts"]}`)).toEqual({ kind: 'planned', files: ['/kit/test/a.test.ts'] });
    expect(progressOf(`noise ${PROGRESS_PREFIX}{"kind":"file","file":"f","tests":[{"title":"t","state":"passed"}]}`)).toEqual({ kind: 'file', file: 'f', tests: [{ title: 't', state: 'passed' }] });
    expect(progressOf('{"kind":"planned","files":[]}')).toBeUndefined();
    expect(progressOf(`${PROGRESS_PREFIX}{"kind":"planned"`)).toBeUndefined();
    expect(progressOf(`${PROGRESS_PREFIX}{"kind":"other"}`)).toBeUndefined();
  });
});
