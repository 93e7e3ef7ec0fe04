// Trace pages: a known trace, drawn in a real headless Chromium, from a file
// with no network. Every event of the nodes is drawn and the harness's only on
// request; sends are joined to deliveries; a paragraph tells who sent what to
// whom and what never arrived; the summary counts each link; the filters by
// node and by kind act; a long trace opens on the event that matters, folded
// by phase, with a run of the same exchange folded into one row; no label
// runs past the diagram's right edge; and a failing stage test names the page
// beside its .jsonl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { readTrace, writeTracePage, type PageEvent } from '../../apps/tracePage/render.ts';
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
    const known = readFileSync(KNOWN, 'utf8');
    writeFileSync(bad, `${known}{"us": 1, "node": "a@host"}\nnot json\n`);
    const line = known.trim().split('\n').length + 1;
    expect(() => readTrace(bad)).toThrow(new RegExp(`bad\\.jsonl:${line} is not a trace event: seq`));
  });

  it("names the page as well as the .jsonl for a failing stage test's trace", () => {
    const file = join(dir, 'stage.jsonl');
    copyFileSync(KNOWN, file);
    const lines = nameTraceFiles(file, { title: 'exercise9-x: problem 1: a title', failure: 'the consumer saw 2 pings, expected 3' });
    expect(lines).toContain('stage.jsonl');
    expect(lines).toMatch(/sequence diagram.*stage\.html/);
    const html = readFileSync(join(dir, 'stage.html'), 'utf8');
    expect(html).toContain('<h1>exercise9-x: problem 1: a title</h1>');
    expect(html).toContain('the consumer saw 2 pings, expected 3');
    expect(existsSync(join(dir, 'stage.html'))).toBe(true);
  });
});

/**
 * A trace as long as a stage 2 test's: 3 nodes exchange 30 pings, one is cut off and 4 pings
 * to it are dropped, the cut heals, then the test asks for a count 12 times over (the same
 * exchange each time); the harness's rpc calls come in between.
 */
function longTrace(): PageEvent[] {
  const events: PageEvent[] = [];
  const seq = new Map<string, number>();
  let us = 1_800_000_000_000_000;
  const add = (e: Omit<PageEvent, 'us' | 'seq'>) => {
    us += 400;
    const n = seq.get(e.node) ?? 0;
    seq.set(e.node, n + 1);
    events.push({ us, seq: n, ...e } as PageEvent);
  };
  let hash = 0;
  const message = (from: string, to: string, what: string, extra: Partial<PageEvent> = {}, kind: 'send' | 'drop' = 'send') => {
    const h = `m${hash++}`;
    const link = `${from}->${to}`;
    add({ node: from, kind, peer: to, link, hash: h, what, ...extra });
    if (kind === 'send') add({ node: to, kind: 'deliver', peer: from, link, hash: h, what, ...extra });
  };
  const rpcCall = (to: string) => {
    message('manager@vm', to, "rex: call agent.ts block(['n1@vm'])", { harness: true });
    message(to, 'manager@vm', 'pid: reply {ok: true}', { harness: true });
  };
  for (let i = 1; i <= 15; i++) {
    message('n1@vm', 'n2@vm', `consumer: cast {ping: {index: ${i}, node: "n1@vm"}}`);
    message('n2@vm', 'n3@vm', `consumer: cast {ping: {index: ${i}, node: "n2@vm"}}`);
  }
  rpcCall('n1@vm');
  add({ node: 'n1@vm', kind: 'partition', detail: { from: ['n2@vm', 'n3@vm'] } });
  add({ node: 'n2@vm', kind: 'partition', detail: { from: ['n1@vm'] } });
  add({ node: 'n1@vm', kind: 'nodedown', peer: 'n2@vm', detail: 'disconnected by Node.disconnect' });
  for (let i = 16; i <= 19; i++) message('n1@vm', 'n2@vm', `consumer: cast {ping: {index: ${i}, node: "n1@vm"}}`, {}, 'drop');
  rpcCall('n1@vm');
  add({ node: 'n1@vm', kind: 'heal', detail: { with: ['n2@vm', 'n3@vm'] } });
  add({ node: 'n2@vm', kind: 'heal', detail: { with: ['n1@vm'] } });
  add({ node: 'n1@vm', kind: 'nodeup', peer: 'n2@vm' });
  for (let i = 0; i < 12; i++) {
    message('manager@vm', 'n2@vm', "consumer: call 'counts'");
    message('n2@vm', 'manager@vm', 'pid: reply {"n1@vm":15, "n2@vm":15, "n3@vm":…');
  }
  return events;
}

describe.skipIf(NO_BROWSER)(`a trace page in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const requests: string[] = [];
  const events = readTrace(KNOWN);
  const own = events.map((e, i) => (e.harness ? -1 : i)).filter((i) => i >= 0);
  const harness = events.map((e, i) => (e.harness ? i : -1)).filter((i) => i >= 0);

  beforeAll(async () => {
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    errors = collectErrors(page);
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(writeTracePage(KNOWN, join(dir, 'page.html'))).href);
  });
  afterAll(() => browser?.close());

  const drawn = (p = page) => p.$$eval('[data-i]', (els) => [...new Set(els.map((e) => Number(e.getAttribute('data-i'))))].sort((a, b) => a - b));
  const lanes = (p = page) => p.$$eval('#lanes .lane-name', (els) => els.map((e) => e.textContent));
  /** Every text of the diagram that starts left of its picture or ends right of it, by the browser's own layout. */
  const outside = (p: Page) =>
    p.$$eval('#diagram svg', (svgs) =>
      svgs.flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        return Array.from(svg.querySelectorAll('text'))
          .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5))
          .map(({ text, r }) => `"${text}" spans ${Math.round(r.left)}-${Math.round(r.right)} px, the diagram ${Math.round(box.left)}-${Math.round(box.right)} px`);
      }),
    );

  it("draws every event of the nodes, each in its lane, and none of the harness's, with no error and no request off the file", async () => {
    expect(await drawn()).toEqual(own);
    expect(await page.locator('[data-harness]').count()).toBe(0);
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
    expect(labels).toContain('consumer: cast {ping: 5} (never arrived in this trace)');
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
  });

  it("tells in one paragraph who sent what to whom and what never arrived, and opens on the first message lost", async () => {
    const story = (await page.locator('#story').textContent()) ?? '';
    expect(story).toMatch(/the nodes' code sent 6 messages between nodes: a sent 4 to b and c \(consumer: cast \{ping: 1\}, .*\); b sent 1 to a .*; c sent 1 to b/);
    expect(story).toMatch(/2 never arrived: consumer: cast \{ping: 2\} from a to b at \+2\.0 ms \(dropped\); consumer: cast \{ping: 5\} from a to c at \+20\.0 ms \(not delivered by the end of the trace\)\./);
    expect(story).toContain('1 message arrived twice, 1 message arrived late (delayed).');
    expect(story).toContain('The cluster was cut at +8.0 ms (a from b; b from a), then healed at +12.0 ms.');
    expect(story).toContain('Outside a partition, nodes went down: b (seen by c at +21.0 ms).');
    expect(story).toContain('The test harness exchanged 4 more message events with the nodes (its rpc calls and their replies): hidden.');
    expect(story).toContain('The diagram opens on the first message that never arrived, at +2.0 ms');
    expect(await page.locator('rect.focus').getAttribute('data-focus')).toBe('2');
    expect(await page.locator('#failure').count(), 'no failure was given: no failure box').toBe(0);
  });

  it("shows the harness's messages, in grey, when asked, and hides them again", async () => {
    await page.check('#harness-toggle');
    expect(await drawn()).toEqual(events.map((_, i) => i));
    expect(await page.$$eval('[data-harness]', (els) => [...new Set(els.map((e) => Number(e.getAttribute('data-i'))))].sort((a, b) => a - b))).toEqual(harness);
    expect(await lanes()).toEqual(['a', 'b', 'c', 'manager']);
    expect(await page.locator('line.arrow.harness').count()).toBe(2);
    expect(await page.locator('#harness-state').textContent()).toBe('drawn in grey');
    expect(await page.$$eval('#links tbody tr td:first-child', (tds) => tds.map((td) => td.textContent))).toContain('manager → c');
    await page.uncheck('#harness-toggle');
    expect(await drawn()).toEqual(own);
    expect(await page.locator('#harness-state').textContent()).toBe('hidden');
  });

  it("sums up each link of the nodes: sent, delivered, dropped, duplicated, delayed", async () => {
    const rows = await page.$$eval('#links tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim())));
    expect(rows).toEqual([
      ['a → b', '2', '1', '1', '0', '0'],
      ['a → c', '2', '2', '0', '1', '0'],
      ['b → a', '1', '1', '0', '0', '1'],
      ['c → b', '1', '1', '0', '0', '0'],
    ]);
  });

  it('filters by node and by kind', async () => {
    await page.click('#filter-box > summary');
    await page.uncheck('input[data-group="node"][value="b@host"]');
    expect(await lanes()).toEqual(['a', 'c']);
    const onB = events.map((e, i) => (e.node === 'b@host' ? i : -1)).filter((i) => i >= 0);
    expect((await drawn()).filter((i) => onB.includes(i))).toEqual([]);
    await page.check('input[data-group="node"][value="b@host"]');
    await page.uncheck('input[data-group="kind"][value="deliver"]');
    expect(await page.locator('[data-kind="deliver"]').count()).toBe(0);
    expect(await page.locator('[data-kind="send"]').count()).toBe(3);
    await page.check('input[data-group="kind"][value="deliver"]');
    expect(await drawn()).toEqual(own);
  });

  it('keeps every label inside the diagram, shortened with … where its room ends and whole in its tooltip', async () => {
    for (const [width, height] of [[1280, 720], [1024, 768], [1600, 1000]] as const) {
      await page.setViewportSize({ width, height });
      await page.waitForFunction((w) => document.body.dataset.drawnFor === String(w), width);
      for (const harnessShown of [false, true]) {
        await page.setChecked('#harness-toggle', harnessShown);
        expect(await outside(page), `${width}x${height}, harness ${harnessShown ? 'shown' : 'hidden'}`).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no scrolling sideways at ${width}x${height}`).toBe(true);
      }
    }
    await page.setChecked('#harness-toggle', false);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.waitForFunction(() => document.body.dataset.drawnFor === '1280');
    expect(await page.locator('text.mark.nodedown.shortened').count(), 'the long nodedown reason is shortened').toBe(1);
    const title = await page.locator('g.label', { has: page.locator('text.mark.nodedown.shortened') }).first().locator('title').textContent();
    expect(title).toBe('▼ nodedown b (connection closed (1000 disconnected by Node.disconnect, a reason long enough to reach the edge))');
  });

  it('says so when a trace has no event at all', async () => {
    const file = join(dir, 'empty.jsonl');
    writeFileSync(file, '');
    const empty = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const emptyErrors = collectErrors(empty);
    await empty.goto(pathToFileURL(writeTracePage(file)).href);
    expect(await empty.locator('.empty').textContent()).toBe('This trace has no event: no message crossed between the nodes while it was recorded.');
    expect(await empty.locator('#harness-toggle').isDisabled()).toBe(true);
    expect(emptyErrors).toEqual([]);
    await empty.close();
  });

  describe('a long trace', () => {
    let long: Page;
    let longErrors: string[];
    const trace = longTrace();
    const index = (pred: (e: PageEvent) => boolean) => trace.findIndex(pred);

    beforeAll(async () => {
      const file = join(dir, 'long.jsonl');
      writeFileSync(file, trace.map((e) => JSON.stringify(e)).join('\n') + '\n');
      long = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      longErrors = collectErrors(long);
      await long.goto(pathToFileURL(writeTracePage(file, undefined, { title: 'exercise2-monitoring: problem 4: after a netsplit heals…', failure: 'n1 counts 15 pings from n2, expected 19' })).href);
    });

    it('opens on the event that matters, on the first screen, under the failure and the story', async () => {
      expect(await long.locator('#failure').textContent()).toBe('The test failed: n1 counts 15 pings from n2, expected 19');
      const firstDrop = index((e) => e.kind === 'drop');
      expect(await long.locator('rect.focus').getAttribute('data-focus')).toBe(String(firstDrop));
      const focus = await long.locator('rect.focus').boundingBox();
      const story = await long.locator('#story').boundingBox();
      expect(focus, 'the focus is drawn').not.toBeNull();
      expect(focus!.y + focus!.height, 'the focus is on the first screen at 1280x720').toBeLessThanOrEqual(720);
      expect(story!.y + story!.height, 'the story is above it').toBeLessThanOrEqual(focus!.y);
      expect(await long.evaluate(() => window.scrollY)).toBe(0);
      expect(await long.locator('#story').textContent()).toContain('4 never arrived: consumer: cast {ping: {index: 16, node: "n1@vm"}} from n1 to n2');
    });

    it('is folded by phase: the start folded, the partition and the heal open, each headed by what happened in it', async () => {
      const phases = await long.$$eval('details.phase', (ds) => ds.map((d) => ({ phase: d.getAttribute('data-phase'), open: (d as HTMLDetailsElement).open, drawn: d.querySelector('svg') !== null, head: d.querySelector('summary')?.textContent })));
      expect(phases.map(({ phase, open, drawn }) => ({ phase, open, drawn }))).toEqual([
        { phase: 'start', open: false, drawn: false },
        { phase: 'partition', open: true, drawn: true },
        { phase: 'heal', open: true, drawn: true },
      ]);
      expect(phases[0]?.head).toMatch(/^Start \+0\.0 ms to \+[\d.]+ ms · 60 events · 30 messages, all arrived$/);
      expect(phases[1]?.head).toMatch(/^Partition .* · 4 messages, 4 never arrived$/);
      const startEvents = trace.map((_, i) => i).filter((i) => i < index((e) => e.kind === 'partition') && !trace[i]!.harness);
      expect((await drawn(long)).filter((i) => startEvents.includes(i))).toEqual([]);
      await long.click('details.phase[data-phase="start"] > summary');
      await long.waitForSelector('details.phase[data-phase="start"] svg');
      expect((await drawn(long)).filter((i) => startEvents.includes(i))).toEqual(startEvents);
      await long.click('details.phase[data-phase="start"] > summary');
      await long.waitForFunction(() => document.querySelector('details.phase[data-phase="start"] svg') === null);
    });

    it('folds a run of the same exchange into one row, and unfolds it on a click', async () => {
      const polls = trace.map((_, i) => i).filter((i) => trace[i]!.what === "consumer: call 'counts'" || trace[i]!.what?.startsWith('pid: reply {"n1@vm"'));
      expect(polls).toHaveLength(48);
      const fold = long.locator('g.fold[data-fold^="run:"]');
      expect(await fold.count()).toBe(1);
      expect((await fold.getAttribute('data-covers'))?.split(',').map(Number)).toEqual(polls.slice(4));
      expect(await fold.locator('text').textContent()).toMatch(/^↻ the same 4 events 11 more times, until \+[\d.]+ ms \(click to show\)$/);
      expect((await drawn(long)).filter((i) => polls.includes(i))).toEqual(polls.slice(0, 4));
      await fold.click();
      expect((await drawn(long)).filter((i) => polls.includes(i))).toEqual(polls);
      expect(await outside(long)).toEqual([]);
      expect(longErrors).toEqual([]);
    });
  });
});
