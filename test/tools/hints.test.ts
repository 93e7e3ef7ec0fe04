// The learner's loop around the tests: hints in tiers, stages by their short name,
// and the line that points from a failing test to its lesson and hint.
import { describe, expect, it } from 'vitest';
import { parseHints, readHints } from '../../tools/hintsFile.ts';
import { hintCommand, lessonLink, nextLine, problemOf, resolveStage, stages } from '../../tools/lessons.ts';

describe('hints and lessons', () => {
  it('HINTS.md parses into tiers per problem, in order, without the headings', () => {
    const hints = parseHints('# Hints\n\nintro\n\n## warm-up\n### Hint 1\nnudge\n\n### Hint 2\nnear\n```ts\ncode()\n```\n## problem 1\n### Hint 1\nonly\n');
    expect([...hints.keys()]).toEqual(['warm-up', 'problem 1']);
    expect(hints.get('warm-up')).toEqual(['nudge', 'near\n```ts\ncode()\n```']);
    expect(hints.get('problem 1')).toEqual(['only']);
  });

  it("every stage's hints cover its problems, each in at least two tiers", () => {
    for (const stage of stages()) {
      const hints = readHints(stage);
      expect(hints, `exercises/${stage}/HINTS.md`).toBeDefined();
      for (const [problem, tiers] of hints ?? []) {
        expect(problem).toMatch(/^(warm-up|problem \d+|stretch)$/);
        expect(tiers.length, `${stage} ${problem}`).toBeGreaterThanOrEqual(2);
        for (const tier of tiers) expect(tier.length, `${stage} ${problem}: an empty tier`).toBeGreaterThan(0);
      }
    }
  });

  it('a stage is found by its short name, its number or its folder; a problem by its test name', () => {
    expect(resolveStage('exercise1')).toBe('exercise1-connect');
    expect(resolveStage('2')).toBe('exercise2-monitoring');
    expect(resolveStage('exercises/exercise2-monitoring/')).toBe('exercise2-monitoring');
    expect(resolveStage('exercise9')).toBeUndefined();
    expect(problemOf('problem 2: collect asks every consumer at once')).toBe('problem 2');
    expect(problemOf('warm-up: isUp is true for a live node')).toBe('warm-up');
    expect(problemOf('a library test')).toBeUndefined();
  });

  it('the Next line names the lesson heading (GitHub anchor) and the hint command', () => {
    expect(lessonLink('exercise1-connect', 'problem 2')).toBe('exercises/exercise1-connect/README.md#problem-2-collect');
    expect(lessonLink('exercise2-monitoring', 'warm-up')).toBe('exercises/exercise2-monitoring/README.md#warm-up-a-watcher');
    expect(hintCommand('exercise1-connect', 'problem 1')).toBe('npm run hint -- exercise1 "problem 1"');
    expect(nextLine('exercise1-connect', 'problem 1')).toBe(
      'Next: exercise1-connect, problem 1. Read exercises/exercise1-connect/README.md#problem-1-broadcast or ask for a hint: npm run hint -- exercise1 "problem 1"',
    );
  });
});
