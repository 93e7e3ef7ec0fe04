// The decks build to self-contained HTML with Marp (npm run slides --
// --build-only) and load in a real headless Chromium with no console error and
// no request off the file, every slide there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { NO_BROWSER, collectErrors, launch } from '../support/browser.ts';
import { waitFor } from '../support/wait.ts';

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
  }, 60_000);
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
      await page.goto(`${page.url().split('#')[0]}?view=presenter#3`);
      await page.waitForSelector('.bespoke-marp-presenter-note-container');
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
      await page.close();
    });
  }
});
