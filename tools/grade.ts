// npm run grade: how far the learner is. Runs every stage's tests against
// exercises/ and prints, per stage, the problems passed out of the total with a
// bar, then the next problem to work on and where its lesson is. A stage's
// stretch problem (tests named "stretch: …") is optional: it is shown apart and
// counts neither in the total nor as the next problem. An unfinished kit is not
// an error; only a run that cannot happen is.
import { existsSync, readFileSync } from 'node:fs';
import { runStageTests, type TestRow } from './stageTests.ts';

const run = await runStageTests('exercises');
const BAR = 20;

/** Stage -> problem -> whether all its tests pass, in the order the tests ran. */
const stages = new Map<string, Map<string, boolean>>();
for (const row of run.rows.filter((r): r is TestRow & { problem: string } => r.problem !== undefined)) {
  const problems = stages.get(row.stage) ?? new Map<string, boolean>();
  stages.set(row.stage, problems);
  problems.set(row.problem, (problems.get(row.problem) ?? true) && row.passed);
}
for (const broken of run.brokenFiles) if (!stages.has(broken.stage)) stages.set(broken.stage, new Map());

const STRETCH = 'stretch';
const order = (p: string) => (p === 'warm-up' ? -1 : p === STRETCH ? 1e8 : Number(p.split(' ')[1]));
const sortedStages = [...stages.keys()].sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]));

/** The README anchor of a problem's heading (GitHub's slug of "## Problem 2: collect"). */
function lessonLink(stage: string, problem: string): string {
  const readme = `exercises/${stage}/README.md`;
  if (!existsSync(readme)) return readme;
  const heading = readFileSync(readme, 'utf8')
    .split(/\r?\n/)
    .find((line) => line.toLowerCase().startsWith(`## ${problem}`));
  if (!heading) return readme;
  const slug = heading.replace(/^##\s+/, '').toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
  return `${readme}#${slug}`;
}

let next: { stage: string; problem: string } | undefined;
process.stdout.write('\n');
for (const stage of sortedStages) {
  const all = [...(stages.get(stage) ?? new Map<string, boolean>())].sort(([a], [b]) => order(a) - order(b));
  const problems = all.filter(([p]) => p !== STRETCH);
  const stretch = all.find(([p]) => p === STRETCH);
  const done = problems.filter(([, ok]) => ok).length;
  const filled = problems.length ? Math.round((done / problems.length) * BAR) : 0;
  process.stdout.write(`${stage.padEnd(24)} ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${done}/${problems.length}\n`);
  for (const [problem, ok] of problems) process.stdout.write(`    ${ok ? '✓' : '·'} ${problem}\n`);
  if (stretch) process.stdout.write(`    ${stretch[1] ? '✓' : '·'} stretch: ${stretch[1] ? 1 : 0}/1, optional\n`);
  const todo = problems.find(([, ok]) => !ok);
  if (!next && todo) next = { stage, problem: todo[0] };
}
for (const broken of run.brokenFiles) {
  process.stdout.write(`\n${broken.file} does not load, so its problems count as not done:\n  ${broken.message.split(/\r?\n/)[0]}\n`);
}
if (next) {
  process.stdout.write(`\nNext: ${next.stage}, ${next.problem}. Read ${lessonLink(next.stage, next.problem)}\n`);
  process.stdout.write(`then run: npm test -- ${next.stage.split('-')[0]} -t "${next.problem}"\n`);
} else {
  process.stdout.write('\nEvery problem passes. Well done: try the additional exercises in each lesson.\n');
}
