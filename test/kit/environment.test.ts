// Every environment variable the kit's code reads is in the README's table, so
// an attendee or instructor can find what a setting does without reading code.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(entry) ? [path] : [];
  });
}

describe('the README', () => {
  it('lists every environment variable the code reads', () => {
    const read = new Set<string>();
    for (const file of [...sources('lib'), ...sources('apps'), ...sources('tools'), ...sources('bench'), ...sources('bin')]) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/\b(?:process\.)?env(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) read.add(m[1] as string);
      for (const m of text.matchAll(/'((?:DISTSYS|BENCH)_[A-Z0-9_]+)'/g)) read.add(m[1] as string);
    }
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| Variable | Meaning | Default |'));
    const missing = [...read].filter((name) => !table.includes(`\`${name}\``)).sort();
    expect(missing, `variables the code reads that the README's environment table does not list: ${missing.join(', ')}`).toEqual([]);
    expect(read.size).toBeGreaterThan(10);
  });
});
