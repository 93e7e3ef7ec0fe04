// The loader thread of Node.js 20 (module.register): the same cache. On a miss
// it strips the types with esbuild (loaded only then: a start from the cache
// never loads it), which reprints the code, so the JavaScript carries a source
// map to the TypeScript and stack traces point at the lines as written.
import { readFileSync } from 'node:fs';
import { isOurTypeScript, keep, lookUp } from './stripCache.mjs';

let esbuild;

export async function load(url, context, nextLoad) {
  if (!isOurTypeScript(url)) return nextLoad(url, context);
  const found = lookUp(url);
  let js = found.js;
  if (js === undefined) {
    esbuild ??= await import('esbuild');
    js = esbuild.transformSync(readFileSync(found.path, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: found.path,
      // The kit's TypeScript is erasable syntax only (tsconfig): nothing but types to remove.
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    }).code;
    keep(found.file, js);
  }
  return { format: 'module', source: js, shortCircuit: true };
}
