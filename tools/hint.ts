// npm run hint -- exercise1 "problem 1": the next hint for a problem, as
// rustlings' `hint` does. Each problem's hints go from a nudge to near-code;
// every run shows one more, and .hints.json (git-ignored) remembers how many a
// learner has seen. `--reset` forgets them for that problem.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readHints } from './hintsFile.ts';
import { hintCommand, lessonLink, problemRank, resolveStage, shortStage, stages } from './lessons.ts';
import { ROOT } from './lessons.ts';

const STATE = join(ROOT, '.hints.json');
const seenSchema = z.record(z.string(), z.record(z.string(), z.number().int().min(0)));
type Seen = z.infer<typeof seenSchema>;

function readSeen(): Seen {
  if (!existsSync(STATE)) return {};
  try {
    return seenSchema.parse(JSON.parse(readFileSync(STATE, 'utf8')));
  } catch {
    process.stderr.write(`(${STATE} could not be read; starting the count of hints afresh)\n`);
    return {};
  }
}

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n\n`);
  process.stderr.write('usage: npm run hint -- <stage> "<problem>" [--reset]\n');
  process.stderr.write(`  e.g. npm run hint -- exercise1 "warm-up"    stages: ${stages().map(shortStage).join(', ')}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const reset = args.includes('--reset');
const [stageArg, ...problemWords] = args.filter((a) => a !== '--reset');
if (!stageArg) usage();
const stage = resolveStage(stageArg);
if (!stage) usage(`There is no stage "${stageArg}".`);
const hints = readHints(stage);
if (!hints || hints.size === 0) usage(`${stage} has no hints (exercises/${stage}/HINTS.md).`);

const problems = [...hints.keys()].sort((a, b) => problemRank(a) - problemRank(b));
const seen = readSeen();
const problem = problemWords.join(' ').trim().toLowerCase().replace(/^(\d+)$/, 'problem $1');

if (!problem) {
  process.stdout.write(`Hints for ${stage}:\n`);
  for (const p of problems) {
    process.stdout.write(`  ${hintCommand(stage, p).padEnd(44)} ${seen[stage]?.[p] ?? 0} of ${hints.get(p)?.length ?? 0} seen\n`);
  }
  process.exit(0);
}
const tiers = hints.get(problem);
if (!tiers) usage(`${stage} has no hints for "${problem}"; it has: ${problems.map((p) => `"${p}"`).join(', ')}.`);

const forStage = (seen[stage] ??= {});
if (reset) {
  delete forStage[problem];
  writeFileSync(STATE, `${JSON.stringify(seen, null, 2)}\n`);
  process.stdout.write(`Forgot the hints you saw for ${stage}, ${problem}. The next run starts at hint 1.\n`);
  process.exit(0);
}

const shown = Math.min(forStage[problem] ?? 0, tiers.length);
const tier = Math.min(shown + 1, tiers.length);
forStage[problem] = tier;
writeFileSync(STATE, `${JSON.stringify(seen, null, 2)}\n`);

process.stdout.write(`\n${stage}, ${problem}: hint ${tier} of ${tiers.length}\n\n${tiers[tier - 1]}\n\n`);
if (tier < tiers.length) {
  process.stdout.write(`Still stuck? The same command shows hint ${tier + 1}: ${hintCommand(stage, problem)}\n`);
} else {
  process.stdout.write(`That is the last hint (${hintCommand(stage, problem)} --reset starts over). The lesson: ${lessonLink(stage, problem)}\n`);
}
