// npm run grade: how far the learner is. Runs every stage's tests against
// exercises/ and prints, per stage, as soon as that stage's tests are done, the
// problems passed out of the total with a bar, then the next problem to work on
// and where its lesson is. A stage's stretch problem (tests named "stretch: …")
// is optional: it is shown apart and counts neither in the total nor as the
// next problem. An unfinished kit is not an error; only a run that cannot
// happen is. With a room (--room URL --as NAME, or DISTSYS_ROOM and
// DISTSYS_ROOM_NAME), the results go to the instructor's room view too.
//
//   npm run grade [-- --room http://192.168.1.23:4390/?token=… --as "your name"]
import { parseArgs } from 'node:util';
import { sendToRoom } from '../apps/room/client.ts';
import { STRETCH, nextLine, problemRank, stageNumber, stages as lessonStages, testCommand } from './lessons.ts';
import { byProblem, solved, type ProblemResult } from './problemResults.ts';
import { runStageTests, type TestRow } from './stageTests.ts';

let flags: { room?: string | undefined; as?: string | undefined };
try {
  flags = parseArgs({ options: { room: { type: 'string' }, as: { type: 'string' } }, strict: true }).values;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\nusage: npm run grade [-- --room http://ADDRESS:PORT/?token=… --as "your name"]\n`);
  process.exit(2);
}

const BAR = 20;
const out = (text: string) => process.stdout.write(text);

/** The problems of one stage's rows, in lesson order. */
const resultsOf = (rows: readonly TestRow[]): ProblemResult[] =>
  byProblem(rows.filter((r): r is TestRow & { problem: string } => r.problem !== undefined).map((r) => ({ stage: r.stage, problem: r.problem, passed: r.passed, headline: r.message })));

/** A stage's bar and its problems, ticked. */
function stageBlock(stage: string, results: readonly ProblemResult[]): string {
  const all = [...results].sort((a, b) => problemRank(a.problem) - problemRank(b.problem));
  const problems = all.filter((r) => r.problem !== STRETCH);
  const stretch = all.find((r) => r.problem === STRETCH);
  const done = problems.filter(solved).length;
  const filled = problems.length ? Math.round((done / problems.length) * BAR) : 0;
  const lines = [`${stage.padEnd(24)} ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${done}/${problems.length}`];
  for (const r of problems) lines.push(`    ${solved(r) ? '✓' : '·'} ${r.problem}`);
  if (stretch) lines.push(`    ${solved(stretch) ? '✓' : '·'} stretch: ${solved(stretch) ? 1 : 0}/1, optional`);
  return `${lines.join('\n')}\n`;
}

out(`\nGrading exercises/: each stage's tests against your code; each stage shows here when its tests are done.\n\n`);

// Stages shown as their files end, in order: a stage waits for the ones before it.
const filesOf = new Map<string, Set<string>>();
const rowsOf = new Map<string, TestRow[]>();
const shown = new Set<string>();
const started = Date.now();
function showReady(): void {
  for (const stage of [...filesOf.keys()].sort((a, b) => stageNumber(a) - stageNumber(b))) {
    if (shown.has(stage)) continue;
    if ((filesOf.get(stage)?.size ?? 0) > 0) return;
    shown.add(stage);
    out(stageBlock(stage, resultsOf(rowsOf.get(stage) ?? [])));
  }
}

const run = await runStageTests('exercises', [], {
  onProgress(progress) {
    if (progress.kind === 'planned') {
      for (const file of progress.files) {
        const stage = lessonStages().find((s) => file.startsWith(`test/${s}/`));
        if (stage) filesOf.set(stage, (filesOf.get(stage) ?? new Set()).add(file));
      }
      return;
    }
    const stage = [...filesOf.keys()].find((s) => filesOf.get(s)?.has(progress.file));
    if (!stage) return;
    filesOf.get(stage)?.delete(progress.file);
    rowsOf.set(stage, [...(rowsOf.get(stage) ?? []), ...progress.rows]);
    showReady();
  },
});

// What the run itself says is the authority: stages the progress lines did not show are shown now.
const stagesRun = new Set([...run.rows.map((r) => r.stage), ...run.brokenFiles.map((b) => b.stage)]);
for (const stage of [...stagesRun].sort((a, b) => stageNumber(a) - stageNumber(b))) {
  if (!shown.has(stage)) out(stageBlock(stage, resultsOf(run.rows.filter((r) => r.stage === stage))));
}
for (const broken of run.brokenFiles) {
  out(`\n${broken.file} does not load, so its problems count as not done:\n  ${broken.message.split(/\r?\n/)[0]}\n`);
}

const results = resultsOf(run.rows);
const next = results.find((r) => r.problem !== STRETCH && !solved(r));
const room = results.length ? await sendToRoom(results, flags) : undefined;
if (room) out(`\n${room}\n`);
if (next) {
  out(`\n${nextLine(next.stage, next.problem)}\n`);
  out(`then run: ${testCommand(next.stage, next.problem)}\n`);
} else if (run.brokenFiles.length > 0) {
  out(`\nMake ${run.brokenFiles[0]?.file} load (above), then run npm run grade again.\n`);
} else {
  out(`\nEvery problem passes (${Math.round((Date.now() - started) / 1000)} s). Well done: try the additional exercises in each lesson.\n`);
}
