// How the kit starts its own TypeScript entry points as OS processes (the port
// mapper, headless nodes): Node.js itself where it strips types (22.18+), else
// with the kit's loader (boot/typescript.mjs: types stripped once, then read
// from a cache), so it works from any working directory and in the test runner.
import { fileURLToPath } from 'node:url';

/**
 * Whether this Node.js runs TypeScript itself (type stripping: 22.18 and newer, 23.6 and newer).
 * Then a child needs no loader, and starts that much sooner; the kit's code is erasable
 * TypeScript (tsconfig's erasableSyntaxOnly) so that it can.
 */
function nodeStripsTypes(): boolean {
  return (process.features as { typescript?: string | false }).typescript === 'strip';
}

/**
 * The `node` arguments that run the TypeScript file `script` (an absolute path or file URL).
 * With `target` solutions (or variant; by default this process's DISTSYS_TARGET) the child
 * resolves `#stage/*` to solutions/ (or .variant/), like the test that started it
 * (package.json's imports map, under a custom condition).
 */
export function tsEntryArgs(script: string | URL, target = process.env.DISTSYS_TARGET): string[] {
  const path = script instanceof URL || script.startsWith('file:') ? fileURLToPath(script) : script;
  const loader = new URL('./boot/typescript.mjs', import.meta.url).href;
  const conditions = target === 'solutions' || target === 'variant' ? [`--conditions=${target}`] : [];
  return nodeStripsTypes() ? [...conditions, path] : [...conditions, '--import', loader, path];
}

/**
 * What the kit's children add to their environment: V8's compile cache (Node 22.1+; older
 * versions ignore it), so a node started again skips compiling what it compiled last time.
 * It lives with the kit's installed packages, as other tools' caches do.
 */
export function kitChildEnv(): Record<string, string> {
  return { NODE_COMPILE_CACHE: fileURLToPath(new URL('../node_modules/.cache/distsys/v8/', import.meta.url)) };
}
