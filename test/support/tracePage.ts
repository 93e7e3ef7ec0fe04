// The picture of a failing test's trace: the sequence-diagram page written
// beside the .jsonl, named in the test's output. A page that cannot be drawn
// never hides the test's own failure.
import { relative } from 'node:path';
import { writeTracePage, type PageAbout } from '../../apps/tracePage/render.ts';

/** Writes the page for `traceFile` (titled and headed by the failure in `about`) and returns the lines that name both files. */
export function nameTraceFiles(traceFile: string, about: PageAbout = {}): string {
  const shown = (path: string) => relative(process.cwd(), path) || path;
  try {
    const page = writeTracePage(traceFile, undefined, about);
    return `${shown(traceFile)}\n  drawn as a sequence diagram (open it in a browser): ${shown(page)}`;
  } catch (err) {
    return `${shown(traceFile)}\n  (its picture could not be drawn: ${(err as Error).message})`;
  }
}
