// lib/ reads as a table of contents only if its modules form layers: no import
// cycle (a cycle means two files that cannot be understood one before the other,
// and an order of evaluation that depends on who imports first).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const LIB = new URL('../../lib', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : entry.endsWith('.ts') ? [path] : [];
  });
}

/** The lib files each lib file imports (statically or dynamically; type-only imports do not count). */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of files(LIB)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)) {
      const spec = m[1] ?? m[2];
      if (spec) targets.push(resolve(dirname(file), spec));
    }
    edges.set(file, targets.filter((t) => t.startsWith(LIB)));
  }
  return edges;
}

function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('lib/', () => {
  it('has no import cycle', () => {
    const found = cycles(graph()).map((c) => c.map((f) => relative(LIB, f)).join(' -> '));
    expect(found, `import cycles in lib/:\n${found.join('\n')}`).toEqual([]);
  });
});
