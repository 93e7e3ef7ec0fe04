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
