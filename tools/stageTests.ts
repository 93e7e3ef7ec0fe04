// Runs the stage tests (test/exerciseN-*/) against one target (exercises,
// solutions, or the wrong variant in .variant/) through vitest's JSON reporter,
// and returns one row per test; on request, it also tells of each test file as
// it ends (tools/progressReporter.ts), while the run goes on.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { problemOf, stageOfTestFile } from './lessons.ts';
import { progressOf, type ProgressEvent } from './progressEvents.ts';

export type Target = 'exercises' | 'solutions' | 'variant';

export interface TestRow {
  /** `exercise1-connect` */
  readonly stage: string;
  readonly file: string;
  readonly title: string;
  /** `warm-up`, `problem 2`, … (the part of the title before the first colon), or undefined for other tests. */
  readonly problem: string | undefined;
  readonly passed: boolean;
  /** The first line of the failure. */
  readonly message: string | undefined;
  /** The whole failure message, without its stack: what the test said. */
  readonly said: string | undefined;
  readonly durationMs: number;
}

/** A test that was skipped although its name was asked for: `describe.skipIf(…)`, whose title says why. */
export interface SkippedTest {
  readonly file: string;
  /** The test's whole name, its describe blocks' titles first (where a skip says why). */
  readonly fullName: string;
  readonly problem: string | undefined;
}

export interface StageRun {
  readonly rows: TestRow[];
  /** Tests skipped on this machine (a needed facility is missing), among those asked for. */
  readonly skipped: SkippedTest[];
  /** Files that failed outside their tests (a syntax error, a missing export, a failing beforeAll), with vitest's message. */
  readonly brokenFiles: Array<{ stage: string; file: string; message: string }>;
  /** Wall time of each test file, by stage. */
  readonly fileDurations: Map<string, number>;
}

const report = z.object({
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      message: z.string().optional(),
      startTime: z.number().optional(),
      endTime: z.number().optional(),
      assertionResults: z.array(
        z.object({
          title: z.string(),
          fullName: z.string().optional(),
          status: z.string(),
          failureMessages: z.array(z.string()).default([]),
          duration: z.number().nullish(),
        }),
      ),
    }),
  ),
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// vitest's command, found through its package.json (its exports do not list the bin file).
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

export { problemOf };

export interface RunOptions {
  /** Only the tests whose full name matches (vitest's -t). */
  readonly testNamePattern?: string;
  /** Stop at the first failing test (what a learner reads first is what counts). */
  readonly bail?: boolean;
  /** Keep the traces of failing tests out of traces/ (the learner's): they go to a folder removed after the run. */
  readonly discardTraces?: boolean;
  /** Keep the nodes' warnings (the library's tests read them); by default only errors are logged, which keeps a stage run quiet. */
  readonly warnings?: boolean;
  /** Told of the files the run will run, then of each file as it ends, with its tests as rows. */
  readonly onProgress?: (progress: Progress) => void;
}

export type Progress = { readonly kind: 'planned'; readonly files: string[] } | { readonly kind: 'file'; readonly file: string; readonly rows: TestRow[] };

const PROGRESS_REPORTER = fileURLToPath(new URL('./progressReporter.ts', import.meta.url));

/** A file's path as rows name it: relative to the kit, with forward slashes on every system. */
const relativeFile = (file: string) => relative(ROOT, file).split(sep).join('/');

function progressRows(event: Extract<ProgressEvent, { kind: 'file' }>): TestRow[] {
  const file = relativeFile(event.file);
  const stage = stageOfTestFile(file) ?? file;
  return event.tests
    .filter((t) => t.state === 'passed' || t.state === 'failed')
    .map((t) => ({ stage, file, title: t.title, problem: problemOf(t.title), passed: t.state === 'passed', message: undefined, said: undefined, durationMs: 0 }));
}

/** Calls `onProgress` for each progress line of `stream` as it comes. */
function followProgress(stream: NodeJS.ReadableStream | null, onProgress: (progress: Progress) => void): void {
  let buffered = '';
  stream?.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    const lines = buffered.split(/\r?\n/);
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const event = progressOf(line);
      if (event?.kind === 'planned') onProgress({ kind: 'planned', files: event.files.map(relativeFile) });
      else if (event) onProgress({ kind: 'file', file: relativeFile(event.file), rows: progressRows(event) });
    }
  });
}

/** A failure message without the stack frames vitest appends. */
// vitest reports a test that ran out of its time with a stack whose first line is
// "Error: STACK_TRACE_ERROR" (its own placeholder), not with its message: say it in words.
const TIMED_OUT = /^Error: STACK_TRACE_ERROR$/m;
const timedOut = (ms: number | null | undefined) => `the test ran out of its time${ms ? ` after ${Math.round(ms)} ms` : ''}, before any of its own waits gave up`;

function firstLine(failure: string | undefined, ms: number | null | undefined): string | undefined {
  const line = failure?.split(/\r?\n/)[0];
  return line !== undefined && TIMED_OUT.test(line) ? timedOut(ms) : line;
}

function withoutStack(failure: string): string {
  return failure
    .split(/\r?\n/)
    .filter((line) => !/^\s+at /.test(line))
    .join('\n')
    .trim();
}

export async function runStageTests(target: Target, filters: string[] = [], options: RunOptions = {}): Promise<StageRun> {
  const dir = mkdtempSync(join(tmpdir(), 'distsys-report-'));
  const out = join(dir, 'report.json');
  try {
    const pattern = [
      ...(options.testNamePattern !== undefined ? ['--testNamePattern', options.testNamePattern] : []),
      ...(options.bail ? ['--bail=1'] : []),
    ];
    const reporters = ['--reporter=json', `--outputFile.json=${out}`, ...(options.onProgress ? [`--reporter=${PROGRESS_REPORTER}`] : [])];
    const subprocess = execa(process.execPath, [VITEST, 'run', ...(filters.length ? filters : ['test/exercise']), ...pattern, ...reporters], {
      cwd: ROOT,
      env: { DISTSYS_TARGET: target, ...(options.warnings ? {} : { DISTSYS_LOG_LEVEL: 'error' }), ...(options.discardTraces ? { DISTSYS_TRACE_DIR: join(dir, 'traces') } : {}) },
      reject: false,
      all: true,
    });
    if (options.onProgress) followProgress(subprocess.stdout, options.onProgress);
    const result = await subprocess;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      throw new Error(`vitest produced no report for the ${target} (exit code ${result.exitCode}):\n${result.all ?? ''}`);
    }
    const parsed = report.parse(json);
    const rows: TestRow[] = [];
    const skipped: SkippedTest[] = [];
    const asked = options.testNamePattern === undefined ? undefined : new RegExp(options.testNamePattern);
    const brokenFiles: StageRun['brokenFiles'] = [];
    const fileDurations = new Map<string, number>();
    for (const file of parsed.testResults) {
      // Forward slashes on every system, so rows and messages read the same on Windows.
      const rel = relativeFile(file.name);
      const stage = rel.split('/')[1] ?? rel;
      fileDurations.set(rel, (file.endTime ?? 0) - (file.startTime ?? 0));
      // Failed, yet no test of it failed: it could not be loaded, or a beforeAll/afterAll hook failed
      // (then vitest reports the tests under that hook as skipped, which is not a pass).
      if (file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed')) {
        brokenFiles.push({ stage, file: rel, message: file.message || 'the file failed outside its tests' });
      }
      for (const t of file.assertionResults) {
        if (t.status === 'skipped' || t.status === 'pending') {
          // Skipped though asked for (not filtered out by -t): on this machine it cannot run.
          if (t.status === 'skipped' && (asked === undefined || asked.test(t.fullName ?? t.title))) {
            skipped.push({ file: rel, fullName: t.fullName ?? t.title, problem: problemOf(t.title) });
          }
          continue;
        }
        rows.push({
          stage,
          file: rel,
          title: t.title,
          problem: problemOf(t.title),
          passed: t.status === 'passed',
          message: firstLine(t.failureMessages[0], t.duration),
          said: t.failureMessages.length ? t.failureMessages.map((m) => withoutStack(m).replace(TIMED_OUT, timedOut(t.duration))).join('\n') : undefined,
          durationMs: t.duration ?? 0,
        });
      }
    }
    return { rows, skipped, brokenFiles, fileDurations };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
