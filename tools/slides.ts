// `npm run slides`: builds every deck (slides/NN-*.md) to a self-contained
// HTML file beside it with Marp CLI, then serves the folder on 127.0.0.1 with
// an index that links each deck and its presenter view (speaker notes, next
// slide, timer). `npm run slides -- --build-only` builds and exits: for CI,
// and for an instructor without a network at the venue (the HTML needs none).
// Marp renders HTML without a browser; it needs one only for PDF and PPTX. The
// build then measures the code on every slide in headless Chromium and fails,
// naming the deck and the slide, where code is drawn too small for a room to
// read (slideCodeSize.ts); without Chromium it warns and skips that check.
// `--dir <folder>` builds the decks of another folder (a test's).
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { marpCli } from '@marp-team/marp-cli';
import { MIN_CODE_PX, cannotMeasure, smallCode } from './slideCodeSize.ts';

const { values } = parseArgs({ options: { 'build-only': { type: 'boolean' }, port: { type: 'string' }, dir: { type: 'string' } } });
/** The decks' folder: the kit's slides/, or another (--dir) such as a test's. */
const SLIDES = values.dir === undefined ? resolve(fileURLToPath(new URL('../slides/', import.meta.url))) : resolve(values.dir);

const decks = readdirSync(SLIDES).filter((f) => /^\d\d-.+\.md$/.test(f)).sort();
if (decks.length === 0) throw new Error(`no decks (NN-name.md) in ${SLIDES}`);
const built: string[] = [];
for (const deck of decks) {
  const html = deck.replace(/\.md$/, '.html');
  // --no-stdin: never wait for a deck on standard input (CI has none).
  const code = await marpCli([join(SLIDES, deck), '--no-stdin', '--html', 'false', '-o', join(SLIDES, html)]);
  if (code !== 0) throw new Error(`Marp could not build ${deck} (exit code ${code})`);
  built.push(html);
}
process.stdout.write(`built ${built.map((f) => relative(process.cwd(), join(SLIDES, f))).join(', ')}\n`);

const unmeasured = cannotMeasure();
if (unmeasured) {
  process.stderr.write(`warning: the size of the code on the slides was not checked: ${unmeasured}\n`);
} else {
  const deckName = (html: string) => relative(process.cwd(), join(SLIDES, html.replace(/\.html$/, '.md')));
  const small = await smallCode(built.map((html) => ({ name: deckName(html), html: join(SLIDES, html) })));
  if (small.length > 0) {
    const lines = small.map(({ deck, slide, problem, code }) => `  ${deck} slide ${slide}: ${problem} (${JSON.stringify(code)}…)`);
    process.stderr.write(
      `code a room cannot read at 1280x720 (under ${MIN_CODE_PX} px: Marp shrinks a code block whose longest line is wider than the slide; a slide too long is cut off):\n` +
        `${lines.join('\n')}\nshorten the lines or split the slide\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`the code on every slide is drawn at ${MIN_CODE_PX} px or more, whole, at 1280x720\n`);
}
if (values['build-only']) process.exit(0);

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(readFileSync(join(SLIDES, html), 'utf8'))?.[1] ?? html;
const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
const index = () => `<!doctype html><meta charset="utf-8"><title>distsys slides</title>
<style>body{font:24px system-ui,sans-serif;margin:40px;color:#111}li{margin:14px 0}a{color:#0047c2}small{color:#555}</style>
<h1>distsys slides</h1><ul>${built.map((f) => `<li><a href="/${f}">${escape(titleOf(f))}</a> <small>(${f})</small> &middot; <a href="/${f}?view=presenter">presenter view</a></li>`).join('')}</ul>
<p><small>In a deck: <b>p</b> opens the presenter view, <b>f</b> full screen, arrows move.</small></p>`;

const port = values.port === undefined ? 8080 : Number(values.port);
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
  if (path === '') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(index());
    return;
  }
  if (!built.includes(path)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(readFileSync(join(SLIDES, path)));
});
const listening = () => {
  const { port: at } = server.address() as { port: number };
  process.stdout.write(`slides at http://127.0.0.1:${at}/ (the presenter view: press p in a deck); Ctrl+C stops\n`);
};
server.once('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EADDRINUSE' || values.port !== undefined) throw err;
  server.listen(0, '127.0.0.1', listening); // 8080 is taken: any free port
});
server.listen(port, '127.0.0.1', listening);
const stop = () => {
  server.closeAllConnections(); // a browser keeps its connection open: do not wait for it
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
