// A trace file (traces/<name>.jsonl) drawn as a sequence diagram, in one
// self-contained HTML page: its styles, its script and the events are inlined,
// so the page opens from disk with no network and can be mailed or attached to
// an issue. One lane per node; each send joined to its delivery; drops,
// duplicates, delays, nodeup/nodedown, partitions and heals marked; the test
// harness's own messages hidden until asked for; a paragraph that tells what
// happened, above the diagram, which opens on the event that matters; phases
// (start, partition, heal) folded when the trace is long; filters by node and
// by kind; the messages on each link.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { describeKeptMessage } from '../../lib/internal.ts';

const PAGE = new URL('./page/', import.meta.url);
/** words: escaping and such; model: joins, phases, the focus; story: the trace in words; rows: folds; trace: the drawing. */
const SCRIPTS = ['words.js', 'model.js', 'story.js', 'rows.js', 'trace.js'];
const MAX_FILE_BYTES = 256 * 1024 * 1024;

const traceEvent = z.object({
  us: z.number(),
  node: z.string(),
  seq: z.number(),
  kind: z.enum(['send', 'deliver', 'drop', 'duplicate', 'delay', 'nodeup', 'nodedown', 'partition', 'heal']),
  peer: z.string().optional(),
  link: z.string().optional(),
  hash: z.string().optional(),
  msg: z.string().optional(),
  what: z.string().optional(),
  harness: z.literal(true).optional(),
  detail: z.unknown().optional(),
});
export type PageEvent = z.infer<typeof traceEvent>;

/** The events of a trace file; a line that is not an event is an error naming it. */
export function readTrace(file: string): PageEvent[] {
  const text = readFileSync(file, 'utf8');
  if (text.length > MAX_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
  const events: PageEvent[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${i + 1} is not JSON`);
    }
    const parsed = traceEvent.safeParse(json);
    if (!parsed.success) throw new Error(`${file}:${i + 1} is not a trace event: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    events.push(parsed.data);
  });
  return events;
}

/** Inline text for a <script> or <style>: nothing in it may close the element early. */
const inline = (text: string) => text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/** What a page says about its trace beyond the events: a title (the file's name by default) and the failure it was written for. */
export interface PageAbout {
  readonly title?: string;
  /** The failing test's message: the page shows it above its story. */
  readonly failure?: string;
}

const FAILURE_CHARS = 600;

/** The page for `events`. */
function tracePageHtml(events: PageEvent[], about: Required<Pick<PageAbout, 'title'>> & PageAbout): string {
  const template = readFileSync(new URL('trace.html', PAGE), 'utf8');
  const css = readFileSync(new URL('trace.css', PAGE), 'utf8');
  // The page's scripts, in the order they build on each other; one inline script.
  const js = SCRIPTS.map((name) => readFileSync(new URL(name, PAGE), 'utf8')).join('\n');
  const { title } = about;
  const failure = about.failure === undefined ? undefined : about.failure.length > FAILURE_CHARS ? `${about.failure.slice(0, FAILURE_CHARS - 1)}…` : about.failure;
  // JSON inside a script element: escape `<` so no event text can end the element.
  // Each message in a few words, as the node recorded it; a trace written before nodes did is described here, alike.
  const shown = events.map((e) => (e.what !== undefined || e.msg === undefined ? e : { ...e, what: describeKeptMessage(e.msg) }));
  const data = JSON.stringify({ title, failure, events: shown }).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const escapedTitle = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  return template
    .replaceAll('{{title}}', () => escapedTitle)
    .replace('/*{{css}}*/', () => inline(css))
    .replace('{{data}}', () => data)
    .replace('/*{{js}}*/', () => inline(js));
}

/** Writes the page for the trace `file` beside it (`x.jsonl` -> `x.html`) and returns its path. */
export function writeTracePage(file: string, out = file.replace(/\.jsonl$/, '') + '.html', about: PageAbout = {}): string {
  writeFileSync(out, tracePageHtml(readTrace(file), { ...about, title: about.title ?? basename(file) }));
  return out;
}
