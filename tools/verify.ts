// npm run verify: the kit's self-check, test by test. For each stage:
//   - every stage test passes against solutions/;
//   - every learner-facing test (warm-up, problem N) fails against exercises/, the
//     starter (and how long the starter takes to go red: an attendee waits for it);
//   - every wrong variant (test/<stage>/variants/*.patch) is rejected by its problem's
//     tests, with a message that matches its `# expect:`, i.e. names the mistake;
//   - every file of the stage stands in one place: solutions/<stage>/ holds only the
//     solved learner files, each given file has its exact key in package.json's
//     imports, and imports reach the same file under every target (stageFiles.ts);
//   - every problem has a lesson heading, hints and at least one wrong variant.
// Prints the tables; exits 1 on any violation.
//
//   npm run verify                        everything
//   npm run verify -- exercise2           one stage
//   npm run verify -- exercise2 --variant watcher-takes-any-down [--keep]
//                                         one wrong variant only (--keep leaves .variant/ in place)
import { readHints } from './hintsFile.ts';
import { ROOT, lessonLink, problemRank, resolveStage, shortStage, stages as allStages } from './lessons.ts';
import { stageFileProblems } from './stageFiles.ts';
import { runStageTests, type StageRun, type TestRow } from './stageTests.ts';
import { readVariants, removeMaterialised, runVariant, type Variant, type VariantResult } from './variants.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const onlyVariant = option('--variant');
const keep = flag('--keep');
const named = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--variant');
const stages = named.length ? named.map((a) => resolveStage(a) ?? a) : allStages();

const started = Date.now();
const problems: string[] = [];
const out = (text = '') => process.stdout.write(`${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
for (const stage of stages) if (!allStages().includes(stage)) problems.push(`there is no stage ${stage} in exercises/`);

// ---- the wrong variants of each stage, read first: a malformed one is a violation too
const variantsOf = new Map<string, Variant[]>();
for (const stage of stages) {
  const { variants, errors } = readVariants(stage);
  problems.push(...errors);
  variantsOf.set(stage, onlyVariant ? variants.filter((v) => v.slug === onlyVariant) : variants);
}
if (onlyVariant && [...variantsOf.values()].every((v) => v.length === 0)) problems.push(`no variant is called ${onlyVariant} in ${stages.join(', ')}`);

const key = (r: TestRow) => `${r.file} › ${r.title}`;
const learnerFacing = (r: TestRow) => r.problem !== undefined;

let solved: StageRun | undefined;
const starters = new Map<string, { run: StageRun; ms: number }>();
if (!onlyVariant) {
  // ---- no file in two places; imports that reach the same file under every target
  problems.push(...stageFileProblems(ROOT, stages));

  // ---- the solutions: every test passes
  solved = await runStageTests('solutions', stages.map((s) => `test/${s}/`), { discardTraces: true });
  if (solved.rows.length === 0) problems.push('no stage tests ran');
  for (const broken of solved.brokenFiles) problems.push(`${broken.file} failed outside its tests (loading it, or a hook): ${broken.message}`);

  // ---- the starter, one stage at a time, as an attendee runs it: every learner-facing test fails
  for (const stage of stages) {
    const t0 = Date.now();
    const run = await runStageTests('exercises', [`test/${stage}/`], { discardTraces: true });
    starters.set(stage, { run, ms: Date.now() - t0 });
    for (const broken of run.brokenFiles) problems.push(`${broken.file} failed outside its tests against exercises/ (loading it, or a hook): ${broken.message}`);
  }

  // ---- every problem has a heading in the lesson, hints, and a wrong variant
  for (const stage of stages) {
    const hints = readHints(stage);
    const ofStage = new Set(solved.rows.filter((r) => r.stage === stage && r.problem !== undefined).map((r) => r.problem as string));
    for (const problem of ofStage) {
      if (!lessonLink(stage, problem).includes('#')) problems.push(`exercises/${stage}/README.md has no heading "## ${problem[0]?.toUpperCase()}${problem.slice(1)}: …"`);
      const tiers = hints?.get(problem);
      if (!tiers || tiers.length < 2) problems.push(`exercises/${stage}/HINTS.md needs "## ${problem}" with at least two "### Hint N" tiers (it has ${tiers?.length ?? 0})`);
      if (!(variantsOf.get(stage) ?? []).some((v) => v.problem === problem)) problems.push(`${stage} has no wrong variant for ${problem} (test/${stage}/variants/)`);
    }
  }
}

// ---- the wrong variants: stages side by side, each stage's variants one after another
const results = new Map<string, VariantResult[]>();
await Promise.all(
  stages.map(async (stage) => {
    const list: VariantResult[] = [];
    results.set(stage, list);
    for (const variant of variantsOf.get(stage) ?? []) list.push(await runVariant(variant));
    if (!keep) removeMaterialised(stage);
  }),
);

// ---- the report
const width = 84;
const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text.padEnd(n));
for (const stage of stages) {
  out();
  out(stage);
  if (solved) {
    const starter = starters.get(stage)?.run;
    const onStarter = new Map((starter?.rows ?? []).map((r) => [key(r), r]));
    const rows = solved.rows.filter((r) => r.stage === stage).sort((a, b) => rank(a) - rank(b));
    for (const row of rows) {
      const other = onStarter.get(key(row));
      const starterOk = !learnerFacing(row) || (other !== undefined && !other.passed);
      out(`  ${(row.passed && starterOk ? 'ok' : 'FAIL').padEnd(4)} ${cut(row.title, width)}  solutions: ${row.passed ? 'pass' : 'FAIL'}  exercises: ${other ? (other.passed ? 'pass' : 'fail') : 'missing'}`);
      if (!row.passed) problems.push(`${key(row)} fails on solutions/: ${row.message ?? ''}`);
      if (!starterOk) problems.push(`${key(row)} ${other ? 'passes' : 'is missing'} on the starter code; a learner-facing test must fail there`);
    }
  }
  const list = results.get(stage) ?? [];
  if (list.length) {
    out(`  wrong variants (test/${stage}/variants/):`);
    for (const r of [...list].sort((a, b) => problemRank(a.variant.problem) - problemRank(b.variant.problem))) {
      const verdict = r.broken ? 'BROKEN' : r.unchecked ? 'SKIP' : !r.rejected ? 'PASSED' : !r.named ? 'VAGUE' : 'ok';
      const said = r.unchecked ? `not judged on this machine: the test that rejects it was skipped (${r.unchecked})` : (r.said ?? '(every test passed)');
      out(`  ${verdict.padEnd(6)} ${r.variant.problem.padEnd(10)} ${cut(r.variant.slug, 40)} ${seconds(r.durationMs).padStart(7)}  ${r.broken ?? said}`);
      if (r.broken) problems.push(r.broken);
      else if (r.unchecked) continue; // judged where that test runs (CI runs as root)
      else if (!r.rejected) problems.push(`${r.variant.file} (${r.variant.mistake}) passes every test of ${r.variant.problem}: the tests must reject it`);
      else if (!r.named) {
        problems.push(`${r.variant.file} (${r.variant.mistake}) is rejected, but no failure matches /${r.variant.expect.source}/i: it said "${r.said ?? ''}"`);
      }
    }
  }
}

// ---- the figures
out();
for (const stage of stages) {
  const list = results.get(stage) ?? [];
  const rejected = list.filter((r) => r.rejected).length;
  const naming = list.filter((r) => r.rejected && r.named).length;
  const unchecked = list.filter((r) => r.unchecked).length;
  const starter = starters.get(stage);
  const red = starter ? `; the starter is red after ${seconds(starter.ms)} (npm test -- ${shortStage(stage)})` : '';
  const skippedText = unchecked ? `, ${unchecked} not judged here (a test skipped on this machine)` : '';
  out(`${stage}: wrong variants rejected ${rejected}/${list.length}, ${naming} of them naming the mistake${skippedText}${red}`);
}
const total = solved?.rows.length ?? 0;
const learner = solved?.rows.filter(learnerFacing).length ?? 0;
out(`\n${total} tests (${learner} learner-facing), ${problems.length} violation${problems.length === 1 ? '' : 's'}, ${seconds(Date.now() - started)}`);
if (problems.length > 0) {
  out(`\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}

function rank(r: TestRow): number {
  return r.problem === undefined ? 1e9 : problemRank(r.problem);
}
