// How the kit's processes read TypeScript, without paying for it on every start.
// Plain JavaScript on purpose: it is what lets Node.js read the rest.
//
// Each .ts file of the kit is turned into JavaScript once by type stripping
// (the types are blanked out, so lines and columns, and with them stack traces,
// stay as written), and the result is kept in a cache beside the installed
// packages, keyed by the file's path, size and modification time. A node
// started again loads its modules straight from the cache. Node.js 22.18+ strips
// with its own stripper (node:module's stripTypeScriptTypes), in the loading
// thread; Node.js 20 with esbuild, in a loader thread (module.register), with
// source maps so that stack traces still point at the TypeScript. Files under
// node_modules are left to Node.js.
//
// Where Node.js strips types by itself (22.18+), the kit starts its processes
// without this loader at all (lib/childProcess.ts): measured, it saves nothing
// there, since Node's own compile cache covers the same ground.
//
// It lives in lib/ although the kit's applications and tools start with it too
// (bin/distsys.js, npm run verify, ...): on Node.js 20 the library itself needs
// it for the processes it starts (the port mapper, the harness's nodes and storage).
//
//   node --import ./lib/boot/typescript.mjs apps/cli/main.ts ...
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { isOurTypeScript, keep, lookUp } from './stripCache.mjs';

if (typeof nodeModule.registerHooks === 'function' && typeof nodeModule.stripTypeScriptTypes === 'function') {
  const strip = nodeModule.stripTypeScriptTypes;
  nodeModule.registerHooks({
    load(url, context, nextLoad) {
      if (!isOurTypeScript(url)) return nextLoad(url, context);
      const found = lookUp(url);
      let js = found.js;
      if (js === undefined) {
        js = strip(readFileSync(found.path, 'utf8'), { mode: 'strip' });
        keep(found.file, js);
      }
      return { format: 'module', source: js, shortCircuit: true };
    },
  });
} else {
  process.setSourceMapsEnabled(true);
  nodeModule.register('./stripCacheThread.mjs', import.meta.url);
}
