// What an attendee sees at the end of `npm test -- exerciseN`: vitest's own
// report, unchanged, with the failures in lesson order (the warm-up's first),
// then what vitest does not know about the workshop:
//   - a name filter (-t) that matches no test fails the run, with the problems
//     of the stage (a typo must never look like a pass); so does a stage that
//     does not exist, with the list of stages;
//   - where the traces of the failing cluster tests are, in a few short lines;
//   - whether the results went to the room (only when the attendee joined one);
//   - last, one line: the problem to start with, its lesson and the hint command.
import { DefaultReporter, type SerializedError, type TestCase, type TestModule, type TestRunEndReason } from 'vitest/node';
import { sendToRoom } from '../apps/room/client.ts';
import { problemOf, problemRank, problemsOf, shortStage, stageNumber, stageOfTestFile, stages, startLine } from './lessons.ts';
import { byProblem, firstUnsolved, type ProblemTest } from './problemResults.ts';

/** Where a test file sits in the lessons: its stage, then its first problem; files of no stage last. */
function lessonRank(module: TestModule): [number, number] {
  const stage = stageOfTestFile(module.moduleId);
  if (!stage) return [Number.POSITIVE_INFINITY, 0];
  const ranks = [...module.children.allTests()].map((t) => problemOf(t.name)).filter((p) => p !== undefined).map(problemRank);
  return [stageNumber(stage), ranks.length ? Math.min(...ranks) : Number.POSITIVE_INFINITY];
}

export function inLessonOrder(modules: readonly TestModule[]): TestModule[] {
  const ranked = modules.map((m) => ({ m, rank: lessonRank(m) }));
  ranked.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.m.moduleId.localeCompare(b.m.moduleId));
  return ranked.map(({ m }) => m);
}

/** The first line of what a failing test said (without the "Next:" line under it). */
export function headlineOf(test: TestCase): string | undefined {
  const result = test.result();
  if (result.state !== 'failed') return undefined;
  const message = result.errors?.[0]?.message ?? '';
  return message.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? 'the test failed without a message';
}

/** The learner-facing tests that ran (passed or failed), as problems see them. */
export function problemTests(modules: readonly TestModule[]): ProblemTest[] {
  return modules.flatMap((module) => {
    const stage = stageOfTestFile(module.moduleId);
    if (!stage) return [];
    return [...module.children.allTests()].flatMap((test) => {
      const problem = problemOf(test.name);
      const state = test.result().state;
      if (!problem || (state !== 'passed' && state !== 'failed')) return [];
      return [{ stage, problem, passed: state === 'passed', headline: headlineOf(test) }];
    });
  });
}

/** What to say when a run found no test: which stages exist, or which problems the filtered stage has. */
export function noTestMessage(filters: readonly string[], pattern: RegExp | undefined, modules: readonly TestModule[]): string | undefined {
  if (modules.length === 0) {
    if (filters.length === 0) return undefined;
    const list = stages().map(shortStage).join(', ');
    return `No stage's tests match ${filters.map((f) => `"${f}"`).join(' ')}. The stages: ${list}; for instance npm test -- ${shortStage(stages()[0] ?? 'exercise1')}`;
  }
  const ran = modules.some((m) => [...m.children.allTests()].some((t) => ['passed', 'failed'].includes(t.result().state)));
  const broken = modules.some((m) => m.state() === 'failed');
  if (ran || broken || !pattern) return undefined;
  const filtered = [...new Set(modules.map((m) => stageOfTestFile(m.moduleId)).filter((s): s is string => s !== undefined))];
  const lines = [`No test's name matches -t "${pattern.source}", so nothing ran: this run fails, so that a typo cannot pass for green.`];
  for (const stage of filtered.sort((a, b) => stageNumber(a) - stageNumber(b))) {
    const names = problemsOf(stage).map((p) => `"${p.problem}"`);
    lines.push(`The problems of ${stage}: ${names.join(', ')}; for instance npm test -- ${shortStage(stage)} -t ${names[0] ?? '"warm-up"'}`);
  }
  return lines.join('\n');
}

/** The short lines that name each failing test's trace page, in lesson order. */
export function traceLines(modules: readonly TestModule[]): string | undefined {
  const pages = modules.flatMap((m) =>
    [...m.children.allTests()].flatMap((t) => {
      const trace = t.meta().trace;
      if (t.result().state !== 'failed' || !trace) return [];
      return [{ label: problemOf(t.name) ?? 'test', page: trace.page ?? `${trace.jsonl} (no page: ${trace.pageError ?? 'it could not be drawn'})` }];
    }),
  );
  if (pages.length === 0) return undefined;
  const width = Math.max(...pages.map((p) => p.label.length));
  return [
    `What happened between the nodes during the failing test${pages.length > 1 ? 's' : ''} (open in a browser; the .jsonl beside each has the events):`,
    ...pages.map((p) => `  ${p.label.padEnd(width)}  ${p.page}`),
  ].join('\n');
}

export default class StageReporter extends DefaultReporter {
  override async onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): Promise<void> {
    const modules = inLessonOrder(testModules);
    super.onTestRunEnd(modules, unhandledErrors, reason);
    const said: string[] = [];
    // The file filters of the command line, as vitest's own "No test files found" reads them.
    const filters = (this.ctx as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
    const none = noTestMessage(filters, this.ctx.config.testNamePattern, modules);
    if (none) {
      said.push(none);
      process.exitCode = 1;
    }
    const traces = traceLines(modules);
    if (traces) said.push(traces);
    // An interrupted run (Ctrl+C) says nothing of the problems it did not finish.
    if (reason !== 'interrupted') {
      const results = byProblem(problemTests(modules));
      const room = results.length > 0 ? await sendToRoom(results) : undefined;
      if (room) said.push(room);
      const start = firstUnsolved(results);
      if (start) said.push(startLine(start.stage, start.problem));
    }
    if (said.length) this.log(`${said.join('\n\n')}\n`);
  }
}
