// The picture of a failing test's trace: the sequence-diagram page written
// beside the .jsonl, named in the test's output. A page that cannot be drawn
// never hides the test's own failure.
import { relative } from 'node:path';
import { writeTracePage, type PageAbout } from '../../apps/tracePage/render.ts';
import type { TraceNotice } from '../../tools/traceNotice.ts';

const shown = (path: string) => relative(process.cwd(), path) || path;

/** Writes the page for `traceFile` (titled and headed by the failure in `about`) and returns both files, as the reporter names them after the results. */
export function traceNotice(traceFile: string, about: PageAbout = {}): TraceNotice {
  try {
    return { jsonl: shown(traceFile), page: shown(writeTracePage(traceFile, undefined, about)) };
  } catch (err) {
    return { jsonl: shown(traceFile), pageError: (err as Error).message };
  }
}

/** Writes the page for `traceFile` and returns the lines that name both files. */
export function nameTraceFiles(traceFile: string, about: PageAbout = {}): string {
  const notice = traceNotice(traceFile, about);
  return notice.page
    ? `${notice.jsonl}\n  drawn as a sequence diagram (open it in a browser): ${notice.page}`
    : `${notice.jsonl}\n  (its picture could not be drawn: ${notice.pageError ?? 'unknown'})`;
}
