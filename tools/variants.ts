// The wrong variants a stage keeps beside its tests: test/<stage>/variants/<mistake>.patch,
// each one plausible attendee mistake, as a header and a diff against solutions/<stage>/:
//
//   # problem: problem 2
//   # mistake: a consumer that adds each ping instead of keeping the highest
//   # expect: counts? .*(twice|again|highest)
//   --- a/pingPong.ts
//   +++ b/pingPong.ts
//   …
//
// `npm run verify` materialises each one (the solution, patched) into .variant/<stage>/
// and runs that problem's tests against it (DISTSYS_TARGET=variant), stopping at the
// first failure: there must be one, and its message must match `expect`, so that the
// tests are known to reject the mistake, first of all, in words that name it.
import { execa } from 'execa';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, problemOf } from './lessons.ts';
import { runStageTests, type TestRow } from './stageTests.ts';

export interface Variant {
  readonly stage: string;
  /** The file name without `.patch`: the mistake, as a slug. */
  readonly slug: string;
  readonly file: string;
  readonly problem: string;
  readonly mistake: string;
  readonly expect: RegExp;
  /** The diff, without the header. */
  readonly diff: string;
}

export interface VariantResult {
  readonly variant: Variant;
  /** Why it could not be tried (it no longer applies, its problem has no tests), if so. */
  readonly broken?: string;
  readonly rows: TestRow[];
  /** At least one of its problem's tests failed. */
  readonly rejected: boolean;
  /** A failure message matched `expect`: the tests named the mistake. */
  readonly named: boolean;
  /**
   * Why it could not be judged here: it passed the tests that ran, and a test of its problem
   * was skipped on this machine (its describe says why, e.g. making network namespaces needs root).
   */
  readonly unchecked?: string;
  /** What the first failing test said (its first line), for the table. */
  readonly said: string | undefined;
  readonly durationMs: number;
}

export const variantsDir = (stage: string): string => join(ROOT, 'test', stage, 'variants');

/** Reads a stage's variants; a malformed one is reported in `errors`, not thrown. */
export function readVariants(stage: string): { variants: Variant[]; errors: string[] } {
  const dir = variantsDir(stage);
  const variants: Variant[] = [];
  const errors: string[] = [];
  if (!existsSync(dir)) return { variants, errors };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.patch')).sort()) {
    const file = join('test', stage, 'variants', name);
    const text = readFileSync(join(dir, name), 'utf8');
    const lines = text.split(/\r?\n/);
    const start = lines.findIndex((l) => l.startsWith('diff ') || l.startsWith('--- '));
    const header = new Map<string, string>();
    for (const line of lines.slice(0, start === -1 ? lines.length : start)) {
      const m = /^# (\w+):\s*(.*?)\s*$/.exec(line);
      if (m) header.set(m[1] as string, m[2] as string);
    }
    const missing = ['problem', 'mistake', 'expect'].filter((k) => !header.get(k));
    if (start === -1) errors.push(`${file} has no diff`);
    else if (missing.length) errors.push(`${file} lacks the header line${missing.length > 1 ? 's' : ''} ${missing.map((k) => `# ${k}:`).join(', ')}`);
    else {
      let expect: RegExp;
      try {
        expect = new RegExp(header.get('expect') as string, 'i');
      } catch (err) {
        errors.push(`${file}: its # expect: is not a regular expression (${(err as Error).message})`);
        continue;
      }
      variants.push({
        stage,
        slug: name.replace(/\.patch$/, ''),
        file,
        problem: (header.get('problem') as string).toLowerCase(),
        mistake: header.get('mistake') as string,
        expect,
        diff: `${lines.slice(start).join('\n').replace(/\n*$/, '')}\n`,
      });
    }
  }
  return { variants, errors };
}

const variantRoot = (stage: string) => join(ROOT, '.variant', stage);

/** Copies solutions/<stage>/ to .variant/<stage>/ and applies the variant's diff there; throws with git's words if it does not apply. */
export async function materialise(variant: Variant): Promise<void> {
  const dir = variantRoot(variant.stage);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, 'solutions', variant.stage), dir, { recursive: true });
  const applied = await execa('git', ['apply', `--directory=.variant/${variant.stage}`, '-p1', '--whitespace=nowarn', '-'], {
    cwd: ROOT,
    input: variant.diff,
    reject: false,
    all: true,
  });
  if (applied.exitCode !== 0) throw new Error(`${variant.file} no longer applies to solutions/${variant.stage}/: ${(applied.all ?? '').trim()}`);
}

export function removeMaterialised(stage: string): void {
  rmSync(variantRoot(stage), { recursive: true, force: true });
}

/** The stage's test files that hold tests of `problem` (found by the test names' prefix). */
export function testFilesOf(stage: string, problem: string): string[] {
  const dir = join(ROOT, 'test', stage);
  if (!existsSync(dir)) return [];
  const prefix = new RegExp(`['"\`]${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.test.ts') && prefix.test(readFileSync(join(dir, n), 'utf8')))
    .map((n) => join('test', stage, n));
}

/** Materialises `variant` and runs its problem's tests against it. */
export async function runVariant(variant: Variant): Promise<VariantResult> {
  const started = Date.now();
  const fail = (broken: string): VariantResult => ({ variant, broken, rows: [], rejected: false, named: false, said: undefined, durationMs: Date.now() - started });
  const files = testFilesOf(variant.stage, variant.problem);
  if (files.length === 0) return fail(`${variant.file}: no test of ${variant.stage} is named "${variant.problem}: …"`);
  try {
    await materialise(variant);
  } catch (err) {
    return fail((err as Error).message);
  }
  // Its first failure must name the mistake: that is the message a learner reads first.
  const run = await runStageTests('variant', files, { testNamePattern: `${variant.problem}:`, bail: true, discardTraces: true });
  const rows = run.rows.filter((r) => problemOf(r.title) === variant.problem);
  const failing = rows.filter((r) => !r.passed);
  const loadFailures = run.brokenFiles.map((b) => b.message);
  const said = [...failing.map((r) => r.said ?? ''), ...loadFailures];
  const rejected = failing.length > 0 || loadFailures.length > 0;
  const skippedHere = run.skipped.filter((t) => t.problem === variant.problem);
  return {
    variant,
    rows,
    ...(!rejected && skippedHere.length > 0 ? { unchecked: skippedHere.map((t) => t.fullName).join('; ') } : {}),
    rejected,
    named: said.some((text) => variant.expect.test(text)),
    said: failing[0]?.message ?? loadFailures[0]?.split(/\r?\n/)[0],
    durationMs: Date.now() - started,
  };
}
