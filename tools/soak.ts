// `npm run soak -- N`: the whole suite N times in a row (the kit's own tests,
// every stage against solutions/, and verify), to find the tests that fail one
// run in fifty. `--busy` keeps one core busy meanwhile, as a laptop running a
// video call would. After every run it checks that the kit left nothing behind:
// no process of its own, no temporary folder. Prints the failures per test.
//
//   npm run soak -- 20
//   npm run soak -- 20 --busy
//   npm run soak -- 5 --parts lib,stages      (parts: lib, stages, verify)
import { execa } from 'execa';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { liveFolderName, liveKitProcesses } from '../lib/liveProcesses.ts';
import { runStageTests } from './stageTests.ts';

const { values, positionals } = parseArgs({ options: { busy: { type: 'boolean' }, parts: { type: 'string' } }, allowPositionals: true });
const runs = Number(positionals[0] ?? 5);
const parts = new Set((values.parts ?? 'lib,stages,verify').split(','));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The kit's own tests are the folders `npm run test:kit` names (library, CLI, tools, demos,
// faults under load), read from package.json so that a folder added there is soaked too.
const kitScript = String(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts['test:kit']);
const kitFolders = kitScript.match(/test\/[\w-]+/g) ?? [];
if (kitFolders.length === 0) throw new Error(`no test folders in package.json's test:kit script: ${kitScript}`);

let currentRun = 0;
/** Test -> [failures, runs]. */
const tally = new Map<string, { failures: number; runs: number; last?: string }>();
const note = (test: string, passed: boolean, message?: string) => {
  const row = tally.get(test) ?? { failures: 0, runs: 0 };
  row.runs++;
  if (!passed) {
    row.failures++;
    if (message) row.last = message;
    // Said at once too: a long soak shows what failed while it still runs.
    process.stdout.write(`  failed in run ${currentRun}: ${test}${message ? `: ${message.slice(0, 200)}` : ''}\n`);
  }
  tally.set(test, row);
};
const ourTemp = () => new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('distsys-') && f !== liveFolderName()));

const busy = values.busy ? execa(process.execPath, ['-e', 'for (;;) {}'], { reject: false }) : undefined;
const started = Date.now();
try {
  const tempBefore = ourTemp();
  for (let run = 1; run <= runs; run++) {
    currentRun = run;
    const t0 = Date.now();
    if (parts.has('lib')) {
      const lib = await runStageTests('solutions', kitFolders, { warnings: true });
      for (const r of lib.rows) note(`${r.file} › ${r.title}`, r.passed, r.message);
      for (const b of lib.brokenFiles) note(b.file, false, b.message);
    }
    if (parts.has('stages')) {
      const stages = await runStageTests('solutions');
      for (const r of stages.rows) note(`${r.file} › ${r.title} (solutions)`, r.passed, r.message);
      for (const b of stages.brokenFiles) note(b.file, false, b.message);
    }
    if (parts.has('verify')) {
      const verify = await execa('npm', ['run', 'verify'], { cwd: ROOT, reject: false, all: true });
      note('npm run verify', verify.exitCode === 0, verify.all?.split(/\r?\n/).filter((l) => l.startsWith('  - ')).slice(0, 3).join(' | '));
    }
    // Nothing left behind: give processes a moment to finish exiting, then look.
    let left = liveKitProcesses();
    for (let waited = 0; left.length > 0 && waited < 15_000; waited += 500) {
      await new Promise((r) => setTimeout(r, 500));
      left = liveKitProcesses();
    }
    note('nothing left running after the run', left.length === 0, left.map((p) => `${p.pid} ${p.what}`).join(', '));
    const newTemp = [...ourTemp()].filter((f) => !tempBefore.has(f));
    note('no temporary folder left after the run', newTemp.length === 0, newTemp.join(', '));
    const failing = [...tally.values()].reduce((n, r) => n + r.failures, 0);
    process.stdout.write(`run ${run}/${runs}: ${((Date.now() - t0) / 1000).toFixed(0)} s, failures so far ${failing}\n`);
  }
} finally {
  busy?.kill('SIGKILL');
}

const failing = [...tally].filter(([, r]) => r.failures > 0).sort(([, a], [, b]) => b.failures - a.failures);
process.stdout.write(`\n${runs} runs${values.busy ? ' with one core kept busy' : ''}, ${tally.size} tests, ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
if (failing.length === 0) {
  process.stdout.write('no test failed in any run, and nothing was left behind\n');
} else {
  process.stdout.write('\n| failures | test | last message |\n|---|---|---|\n');
  for (const [test, r] of failing) process.stdout.write(`| ${r.failures}/${r.runs} | ${test} | ${(r.last ?? '').slice(0, 160)} |\n`);
  process.exit(1);
}
