// The demos: one file each in demos/ at the kit's root, named for the demo
// (`demos/ping-pong.ts` is `npm run demo -- ping-pong`), exporting a `Demo` as
// its default. A new demo is one new file there; nothing else lists them.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Demo } from './show.ts';

const DEMOS_DIR = new URL('../../demos/', import.meta.url);

export interface Entry {
  readonly name: string;
  readonly file: string;
}

export function demoNames(): Entry[] {
  return readdirSync(fileURLToPath(DEMOS_DIR))
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .map((f) => ({ name: f.slice(0, -3), file: new URL(f, DEMOS_DIR).href }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function loadDemo(entry: Entry): Promise<Demo> {
  const mod = (await import(entry.file)) as { default?: Demo };
  if (!mod.default || typeof mod.default.run !== 'function') throw new Error(`${entry.file} does not export a demo as its default`);
  return mod.default;
}
