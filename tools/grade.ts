// npm run grade: how far the learner is. Runs every stage's tests against
// exercises/ and prints, per stage, the problems passed out of the total with a
// bar, then the next problem to work on and where its lesson is. A stage's
// stretch problem (tests named "stretch: …") is optional: it is shown apart and
// counts neither in the total nor as the next problem. An unfinished kit is not
// an error; only a run that cannot happen is.
import { STRETCH, nextLine, problemRank, stageNumber, testCommand } from './lessons.ts';
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

const sortedStages = [...stages.keys()].sort((a, b) => stageNumber(a) - stageNumber(b));

let next: { stage: string; problem: string } | undefined;
process.stdout.write('\n');
for (const stage of sortedStages) {
  const all = [...(stages.get(stage) ?? new Map<string, boolean>())].sort(([a], [b]) => problemRank(a) - problemRank(b));
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
  process.stdout.write(`\n${nextLine(next.stage, next.problem)}\n`);
  process.stdout.write(`then run: ${testCommand(next.stage, next.problem)}\n`);
} else {
  process.stdout.write('\nEvery problem passes. Well done: try the additional exercises in each lesson.\n');
}
