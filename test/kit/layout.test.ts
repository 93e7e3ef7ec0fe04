// lib/ is the library an attendee imports; apps/ are the kit's applications
// built on it (the distsys command, the live view, the doctor, the demo runner,
// the trace page). This keeps them apart: lib/ reaches nothing outside itself,
// apps/ enter lib/ through its entries only, and every file of lib/ is part of
// the library, so an application cannot settle there unnoticed.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIB = join(ROOT, 'lib');
const APPS = join(ROOT, 'apps');

/** The public entries (attendees, the harness) and the one door for apps/ into the rest. */
const ENTRIES = ['lib/index.ts', 'lib/cluster/index.ts', 'lib/internal.ts'].map((f) => join(ROOT, f));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|mts|js|mjs)$/.test(entry) ? [path] : [];
  });
}

/**
 * Every file a file refers to by a relative path: imports (static, dynamic, type-only),
 * `new URL('./x', import.meta.url)` (how the kit names a module another process runs) and a
 * loader's `register('./x', import.meta.url)`.
 */
function references(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm),
    ...text.matchAll(/^import\s+'(\.[^']+)'/gm),
    ...text.matchAll(/import\('(\.[^']+)'\)/g),
    ...text.matchAll(/(?:new URL|register)\('(\.[^']+)', import\.meta\.url\)/g),
  ].map((m) => m[1] as string);
  return specs.map((spec) => resolve(dirname(file), spec));
}

const shown = (paths: string[]) => paths.map((p) => relative(ROOT, p)).join('\n');

describe('lib/ and apps/', () => {
  it('lib/ refers to nothing outside itself (but installed packages)', () => {
    const outside = files(LIB).flatMap((file) =>
      references(file).filter((target) => !target.startsWith(LIB + '/') && !target.includes('/node_modules/')).map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(outside, `lib/ must not depend on what is built on it:\n${outside.join('\n')}`).toEqual([]);
  });

  it('apps/ enter lib/ through lib/index.ts, lib/cluster/index.ts and lib/internal.ts only', () => {
    const deep = files(APPS).flatMap((file) =>
      references(file).filter((target) => target.startsWith(LIB + '/') && !ENTRIES.includes(target)).map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(deep, `deep imports into lib/ (add what an application needs to lib/internal.ts):\n${deep.join('\n')}`).toEqual([]);
  });

  it('lib/internal.ts is the applications\' door: no part of the library or the stages uses it', () => {
    const internal = join(LIB, 'internal.ts');
    const users = [LIB, join(ROOT, 'exercises'), join(ROOT, 'solutions')]
      .flatMap(files)
      .filter((file) => references(file).includes(internal));
    expect(users, shown(users)).toEqual([]);
  });

  it('every file of lib/ is part of the library: reached from its entries', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file) || !existsSync(file) || statSync(file).isDirectory()) return;
      reached.add(file);
      references(file).filter((target) => target.startsWith(LIB + '/')).forEach(visit);
    };
    ENTRIES.forEach(visit);
    const stray = files(LIB).filter((file) => !reached.has(file));
    expect(stray, `files of lib/ that no entry of the library reaches (an application belongs in apps/):\n${shown(stray)}`).toEqual([]);
  });
});
