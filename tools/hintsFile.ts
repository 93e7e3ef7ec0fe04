// A stage's HINTS.md: per problem (`## problem 2`), tiers from a nudge to
// near-code (`### Hint 1`, `### Hint 2`, …). Text before the first problem is
// the file's own introduction.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lessons.ts';

/** Problem (as its heading says it, lower case) -> its tiers, in order. */
export type Hints = Map<string, string[]>;

export function hintsPath(stage: string): string {
  return join(ROOT, 'exercises', stage, 'HINTS.md');
}

export function parseHints(text: string): Hints {
  const hints: Hints = new Map();
  let tiers: string[] | undefined;
  let lines: string[] | undefined;
  const close = () => {
    if (tiers && lines) tiers.push(lines.join('\n').trim());
    lines = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const problem = /^## (.+?)\s*$/.exec(line);
    if (problem) {
      close();
      tiers = [];
      hints.set((problem[1] as string).toLowerCase(), tiers);
      continue;
    }
    if (/^### Hint \d+\s*$/i.test(line)) {
      close();
      if (tiers) lines = [];
      continue;
    }
    lines?.push(line);
  }
  close();
  return hints;
}

export function readHints(stage: string): Hints | undefined {
  const file = hintsPath(stage);
  return existsSync(file) ? parseHints(readFileSync(file, 'utf8')) : undefined;
}
