// The cache of stripped TypeScript (see typescript.mjs): one JavaScript file per
// TypeScript source version, written atomically (a temporary file renamed into
// place), so processes that start at once never read half a file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Bump when what the cache holds changes meaning (a new stripper, new options). */
const VERSION = '1';
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/distsys/stripped/', import.meta.url));

/** Whether `url` is a TypeScript file of ours (not a package's). */
export function isOurTypeScript(url) {
  return url.startsWith('file:') && (url.endsWith('.ts') || url.endsWith('.mts')) && !url.includes('/node_modules/');
}

/** Where the stripped version of the file at `url` is kept, and it, if it is there already. */
export function lookUp(url) {
  const path = fileURLToPath(url);
  const { size, mtimeMs } = statSync(path);
  const key = createHash('sha1').update(`${VERSION}\0${path}\0${size}\0${mtimeMs}`).digest('hex');
  const file = `${CACHE}${key}.js`;
  try {
    return { path, file, js: readFileSync(file, 'utf8') };
  } catch {
    return { path, file, js: undefined };
  }
}

/** Keeps `js` as the stripped version (`file` from lookUp); a read-only install only loses the cache. */
export function keep(file, js) {
  try {
    mkdirSync(CACHE, { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(temporary, js);
    renameSync(temporary, file);
  } catch {
    // nothing kept: the next start strips again
  }
}
