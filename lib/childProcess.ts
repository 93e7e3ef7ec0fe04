// How the kit starts its own TypeScript entry points as OS processes (the port
// mapper, headless nodes): Node.js with the tsx loader, resolved from this
// package so it works from any working directory and inside the test runner.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The `node` arguments that run the TypeScript file `script` (an absolute path or file URL).
 * With DISTSYS_TARGET=solutions (or variant) the child resolves `#stage/*` to solutions/
 * (or .variant/), like the test that started it (package.json's imports map, under a
 * custom condition).
 */
export function tsEntryArgs(script: string | URL): string[] {
  const loader = pathToFileURL(require.resolve('tsx')).href;
  const path = script instanceof URL || script.startsWith('file:') ? fileURLToPath(script) : script;
  const target = process.env.DISTSYS_TARGET;
  const conditions = target === 'solutions' || target === 'variant' ? [`--conditions=${target}`] : [];
  return [...conditions, '--import', loader, path];
}
