// Trace pages: a known trace, drawn in a real headless Chromium, from a file
// with no network. Every event is drawn; sends are joined to deliveries; the
// summary counts each link; the filters by node and by kind act; and a failing
// stage test names the page beside its .jsonl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { readTrace, writeTracePage } from '../../apps/tracePage/render.ts';
import { nameTraceFiles } from '../support/tracePage.ts';
import { NO_BROWSER, collectErrors, launch } from '../support/browser.ts';

const KNOWN = new URL('./fixtures/known.jsonl', import.meta.url).pathname;
const BIN = new URL('../../bin/distsys.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'distsys-trace-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('distsys trace', () => {
  it('writes the page beside the .jsonl and prints its path', async () => {
    const file = join(dir, 'known.jsonl');
    copyFileSync(KNOWN, file);
    const run = await execa(process.execPath, [BIN, 'trace', file], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(join(dir, 'known.html'));
    const html = readFileSync(join(dir, 'known.html'), 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
  });

  it('refuses a missing file, and says which line of a file is not a trace event', async () => {
    const run = await execa(process.execPath, [BIN, 'trace', join(dir, 'missing.jsonl')], { reject: false });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no such file');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(KNOWN, 'utf8')}{"us": 1, "node": "a@host"}\nnot json\n`);
    expect(() => readTrace(bad)).toThrow(/bad\.jsonl:17 is not a trace event: seq/);
  });

  it("names the page as well as the .jsonl for a failing stage test's trace", () => {
    const file = join(dir, 'stage.jsonl');
    copyFileSync(KNOWN, file);
    const lines = nameTraceFiles(file);
    expect(lines).toContain('stage.jsonl');
    expect(lines).toMatch(/sequence diagram.*stage\.html/);
    expect(existsSync(join(dir, 'stage.html'))).toBe(true);
  });
});

describe.skipIf(NO_BROWSER)(`a trace page in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const requests: string[] = [];
  const events = readTrace(KNOWN);

  beforeAll(async () => {
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    errors = collectErrors(page);
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(writeTracePage(KNOWN, join(dir, 'page.html'))).href);
  });
  afterAll(() => browser?.close());

  const drawn = () => page.$$eval('[data-i]', (els) => [...new Set(els.map((e) => Number(e.getAttribute('data-i'))))].sort((a, b) => a - b));
  const lanes = () => page.$$eval('#lanes span', (els) => els.map((e) => e.textContent));

  it('draws every event of the trace, each in its lane, with no error and no request off the file', async () => {
    expect(await drawn()).toEqual(events.map((_, i) => i));
    expect(await lanes()).toEqual(['a', 'b', 'c']);
    for (const kind of ['send', 'deliver', 'drop', 'duplicate', 'delay', 'nodeup', 'nodedown', 'partition', 'heal']) {
      expect(await page.locator(`[data-kind="${kind}"]`).count(), kind).toBeGreaterThan(0);
    }
    expect(await page.locator('text.cross').count(), 'the dropped message is crossed out').toBe(1);
    expect(await page.locator('line.arrow.duplicate').count(), 'a duplicate has two arrows, one per delivery').toBe(2);
    expect(await page.locator('line.arrow.delay').count()).toBe(1);
    expect(await page.locator('text.mark.partition').allTextContents()).toEqual(['✂ partition from b', '✂ partition from a']);
    const labels = await page.locator('text.what').allTextContents();
    expect(labels, 'each message is labelled with what it was').toEqual(
      expect.arrayContaining(['consumer: cast {ping: 1}', 'DROP: consumer: cast {ping: 2}', 'DUPLICATE: consumer: cast {ping: 3}', 'DELAY 30 ms: consumer: cast {ping: 4}']),
    );
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('sums up each link: sent, delivered, dropped, duplicated, delayed', async () => {
    const rows = await page.$$eval('#links tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim())));
    expect(rows).toEqual([
      ['a → b', '2', '1', '1', '0', '0'],
      ['a → c', '1', '2', '0', '1', '0'],
      ['b → a', '1', '1', '0', '0', '1'],
    ]);
  });

  it('filters by node and by kind', async () => {
    await page.uncheck('input[data-group="node"][value="b@host"]');
    expect(await lanes()).toEqual(['a', 'c']);
    const onB = events.map((e, i) => (e.node === 'b@host' ? i : -1)).filter((i) => i >= 0);
    expect((await drawn()).filter((i) => onB.includes(i))).toEqual([]);
    await page.check('input[data-group="node"][value="b@host"]');
    await page.uncheck('input[data-group="kind"][value="deliver"]');
    expect(await page.locator('[data-kind="deliver"]').count()).toBe(0);
    expect(await page.locator('[data-kind="send"]').count()).toBe(1);
    await page.check('input[data-group="kind"][value="deliver"]');
    expect(await drawn()).toEqual(events.map((_, i) => i));
  });
});
