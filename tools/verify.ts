// npm run verify: the kit's self-check, test by test. Every stage test must pass
// against solutions/, and every learner-facing test (warm-up, problem N, and a
// stage's optional stretch) must fail against exercises/, the starter code. Prints the table; exits 1 on any
// violation.
import { runStageTests, type TestRow } from './stageTests.ts';

const filters = process.argv.slice(2);
const started = Date.now();
const solved = await runStageTests('solutions', filters);
const starter = await runStageTests('exercises', filters);

const key = (r: TestRow) => `${r.file} › ${r.title}`;
const onStarter = new Map(starter.rows.map((r) => [key(r), r]));
const problems: string[] = [];

if (solved.rows.length === 0) problems.push('no stage tests ran');
for (const broken of [...solved.brokenFiles, ...starter.brokenFiles]) problems.push(`${broken.file} could not be loaded: ${broken.message}`);

const rank = (r: TestRow) => (r.problem === undefined ? 1e9 : r.problem === 'warm-up' ? -1 : r.problem === 'stretch' ? 1e8 : Number(r.problem.split(' ')[1]));
solved.rows.sort((a, b) => a.stage.localeCompare(b.stage) || rank(a) - rank(b));
const lines: string[] = [];
const width = Math.min(90, Math.max(...solved.rows.map((r) => r.title.length), 10));
let stage = '';
for (const row of solved.rows) {
  if (row.stage !== stage) {
    stage = row.stage;
    lines.push('', `${stage}`);
  }
  const learnerFacing = row.problem !== undefined;
  const other = onStarter.get(key(row));
  const solutionOk = row.passed;
  const starterOk = !learnerFacing || (other !== undefined && !other.passed);
  const verdict = solutionOk && starterOk ? 'ok' : 'FAIL';
  const title = row.title.length > width ? `${row.title.slice(0, width - 1)}…` : row.title.padEnd(width);
  lines.push(`  ${verdict.padEnd(4)} ${title}  solutions: ${row.passed ? 'pass' : 'FAIL'}  exercises: ${other ? (other.passed ? 'pass' : 'fail') : 'missing'}`);
  if (!solutionOk) problems.push(`${key(row)} fails on solutions/: ${row.message ?? ''}`);
  if (!starterOk) problems.push(`${key(row)} ${other ? 'passes' : 'is missing'} on the starter code; a learner-facing test must fail there`);
}

const perStage = new Map<string, number>();
for (const [file, ms] of solved.fileDurations) {
  const s = file.split('/')[1] ?? file;
  perStage.set(s, (perStage.get(s) ?? 0) + ms);
}
process.stdout.write(`${lines.join('\n')}\n\n`);
for (const [s, ms] of perStage) process.stdout.write(`${s}: its test files took ${(ms / 1000).toFixed(1)} s in all against solutions/\n`);
const total = solved.rows.length;
const learner = solved.rows.filter((r) => r.problem !== undefined).length;
process.stdout.write(`\n${total} tests (${learner} learner-facing), ${problems.length} violation${problems.length === 1 ? '' : 's'}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
if (problems.length > 0) {
  process.stdout.write(`\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
