// Where a stage's lesson and hints are, and the line that sends a learner there.
// Shared by `npm run grade` (its "Next:" line), `npm run hint`, `npm run verify`
// and the stage tests (the same line under a failing test).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const STAGE = /^exercise(\d+)-[a-z0-9-]+$/;

/** The stages that have a lesson, in order: ['exercise1-connect', 'exercise2-monitoring', …]. */
export function stages(): string[] {
  const dir = join(ROOT, 'exercises');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => STAGE.test(name))
    .sort((a, b) => stageNumber(a) - stageNumber(b));
}

export function stageNumber(stage: string): number {
  return Number(STAGE.exec(stage)?.[1] ?? Number.NaN);
}

/** `exercise1-connect` -> `exercise1`: what a learner types after `npm test --`. */
export const shortStage = (stage: string): string => stage.split('-')[0] ?? stage;

/** Finds the stage a learner means: `exercise1`, `exercise1-connect` or `1`. */
export function resolveStage(given: string): string | undefined {
  const wanted = given.replace(/\/+$/, '').split('/').pop() ?? given;
  return stages().find((stage) => stage === wanted || shortStage(stage) === wanted || String(stageNumber(stage)) === wanted);
}

/**
 * Which problem a test grades: "problem 2: …" -> "problem 2", "warm-up: …" -> "warm-up",
 * "stretch: …" -> "stretch" (a stage's optional problem beyond the original's).
 */
export function problemOf(title: string): string | undefined {
  return /^(warm-up|problem \d+|stretch):/.exec(title)?.[1];
}

/** The optional problem of a stage: graded apart, never "next". */
export const STRETCH = 'stretch';

/** Sorts problems as a lesson states them: the warm-up, then problem 1, 2, …, then the stretch. */
export const problemRank = (problem: string): number => (problem === 'warm-up' ? -1 : problem === STRETCH ? 1e8 : Number(problem.split(' ')[1]));

/** What a problem's heading in a lesson looks like: `## Warm-up: first steps`, `## Problem 2: collect`, `## Stretch: …`. */
const PROBLEM_HEADING = /^## (warm-up|problem \d+|stretch)(?::|$)/i;

function readmeLines(stage: string): string[] | undefined {
  const file = join(ROOT, 'exercises', stage, 'README.md');
  return existsSync(file) ? readFileSync(file, 'utf8').split(/\r?\n/) : undefined;
}

/** A stage's problems as its lesson states them, in order: `[{ problem: 'warm-up', heading: 'Warm-up: first steps' }, …]`. */
export function problemsOf(stage: string): Array<{ problem: string; heading: string }> {
  return (readmeLines(stage) ?? []).flatMap((line) => {
    const m = PROBLEM_HEADING.exec(line);
    return m ? [{ problem: (m[1] as string).toLowerCase(), heading: line.replace(/^##\s+/, '') }] : [];
  });
}

/** The heading of a problem in its lesson (`Problem 2: collect`), or undefined if the lesson has none. */
export function lessonHeading(stage: string, problem: string): string | undefined {
  return problemsOf(stage).find((p) => p.problem === problem)?.heading;
}

/** The README heading of a problem, as a path with GitHub's anchor: `exercises/…/README.md#problem-2-collect`. */
export function lessonLink(stage: string, problem: string): string {
  const readme = `exercises/${stage}/README.md`;
  const heading = lessonHeading(stage, problem);
  if (!heading) return readme;
  const slug = heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
  return `${readme}#${slug}`;
}

/** The stage a test file belongs to: `exercise1-connect` for …/test/exercise1-connect/pingPong.test.ts. */
export function stageOfTestFile(file: string | undefined): string | undefined {
  return /(?:^|[\\/])test[\\/](exercise\d+-[a-z0-9-]+)[\\/]/.exec(file ?? '')?.[1];
}

export const hintCommand = (stage: string, problem: string): string => `npm run hint -- ${shortStage(stage)} "${problem}"`;

export const testCommand = (stage: string, problem: string): string => `npm test -- ${shortStage(stage)} -t "${problem}"`;

/**
 * The last line of a red run: the problem to start with, where its lesson explains
 * it (the file and the heading) and the hint command.
 */
export function startLine(stage: string, problem: string): string {
  const heading = lessonHeading(stage, problem);
  const where = heading ? `"${heading}" in ${lessonLink(stage, problem)}` : lessonLink(stage, problem);
  return `Start with ${stage}, ${problem}: read ${where}; stuck? ${hintCommand(stage, problem)}`;
}

/** The one line that says where to go from a problem: its lesson and the hint command. */
export function nextLine(stage: string, problem: string): string {
  return `Next: ${stage}, ${problem}. Read ${lessonLink(stage, problem)} or ask for a hint: ${hintCommand(stage, problem)}`;
}
