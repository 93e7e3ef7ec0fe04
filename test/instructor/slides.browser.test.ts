// The decks build to self-contained HTML with Marp (npm run slides --
// --build-only), the build measuring the code on every slide in Chromium and
// failing on a slide whose code a room cannot read, and they load in a real
// headless Chromium with no console error and no request off the file, every
// slide there, no code under the size the build asks for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { NO_BROWSER, collectErrors, launch } from '../support/browser.ts';
import { waitFor } from '../support/wait.ts';
import { MIN_CODE_PX, smallCode } from '../../tools/slideCodeSize.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const SLIDES = join(ROOT, 'slides');
const decks = readdirSync(SLIDES).filter((f) => /^\d\d-.+\.md$/.test(f)).sort();
/** Slides in a deck: separators after the front matter, plus one. */
const slideCount = (md: string) => md.replace(/^---\n[^]*?\n---\n/, '').split(/\n---\n/).length;

describe('npm run slides -- --build-only', () => {
  it('writes slides/NN-*.html for every deck, self-contained, and exits', async () => {
    const run = await execa('npm', ['run', 'slides', '--', '--build-only'], { cwd: ROOT, reject: false, stdin: 'ignore' });
    expect(run.exitCode, run.stderr).toBe(0);
    for (const deck of decks) {
      const html = readFileSync(join(SLIDES, deck.replace(/\.md$/, '.html')), 'utf8');
      expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=["']?https?:/i);
    }
    if (NO_BROWSER) expect(run.stderr).toContain('warning: the size of the code on the slides was not checked: no Chromium here');
    else expect(run.stdout).toContain(`the code on every slide is drawn at ${MIN_CODE_PX} px or more, whole, at 1280x720`);
  }, 90_000);

  it.skipIf(NO_BROWSER)('fails, naming the deck and the slide, where code is drawn too small for a room to read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distsys-slides-'));
    try {
      copyFileSync(new URL('./fixtures/slides/01-wide-code.md', import.meta.url), join(dir, '01-wide-code.md'));
      const run = await execa(process.execPath, ['--import', './lib/boot/typescript.mjs', 'tools/slides.ts', '--build-only', '--dir', dir], { cwd: ROOT, reject: false, stdin: 'ignore' });
      expect(run.exitCode, run.stdout).toBe(1);
      const lines = run.stderr.split('\n').filter((l) => /slide \d+:/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/01-wide-code\.md slide 2: code drawn at 1\d\.\d px \("await GenServer\.call/);
      expect(run.stderr).toContain('shorten the lines or split the slide');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('npm run slides', () => {
  it('serves every deck on 127.0.0.1, with a link to its presenter view, until Ctrl+C', async () => {
    // What `npm run slides` runs, started directly so the signal reaches it (npm would sit in between).
    const server = execa(process.execPath, ['--import', './lib/boot/typescript.mjs', 'tools/slides.ts', '--port', '0'], { cwd: ROOT, reject: false, stdin: 'ignore', buffer: false });
    let out = '';
    server.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => expect(out).toMatch(/slides at (http:\/\/127\.0\.0\.1:\d+\/)/), 60_000);
      const base = /slides at (\S+)/.exec(out)?.[1] as string;
      const index = await (await fetch(base)).text();
      for (const deck of decks) {
        const html = deck.replace(/\.md$/, '.html');
        expect(index).toContain(`href="/${html}"`);
        expect(index).toContain(`href="/${html}?view=presenter"`);
        const page = await fetch(`${base}${html}`);
        expect(page.status).toBe(200);
      }
      expect((await fetch(`${base}..%2Fpackage.json`)).status).toBe(404);
    } finally {
      server.kill('SIGINT');
      await server;
    }
  }, 90_000);
});

describe.skipIf(NO_BROWSER)(`the slides in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(() => browser?.close());

  for (const deck of decks) {
    it(`${deck} loads with every slide, no console error, no network`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const errors = collectErrors(page);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(join(SLIDES, deck.replace(/\.md$/, '.html'))).href);
      const shown = await page.locator('section[id]').count();
      expect(shown).toBe(slideCount(readFileSync(join(SLIDES, deck), 'utf8')));
      await page.keyboard.press('ArrowRight');
      // The size of the code as drawn, measured as the build measures it: none too small for the room.
      expect(await smallCode([{ name: deck, html: join(SLIDES, deck.replace(/\.md$/, '.html')) }])).toEqual([]);
      await page.goto(`${page.url().split('#')[0]}?view=presenter#3`);
      await page.waitForSelector('.bespoke-marp-presenter-note-container');
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
      await page.close();
    });
  }
});
