// The room's page in a real headless Chromium, at a projector's 1280x720 and at
// 1920x1080, with 30 attendees who posted their runs over HTTP from 30
// addresses: every attendee and the key facts are on the page, no text leaves
// its box, nothing needs scrolling, and it follows the room as it changes.
// The screenshots go to screenshots/ (git ignores it), to be looked at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { openRoom, type Room } from '../../apps/room/index.ts';
import { problemsOf, stages } from '../../tools/lessons.ts';
import { NO_BROWSER, collectErrors, launch } from '../support/browser.ts';

const SHOTS = fileURLToPath(new URL('../../screenshots/', import.meta.url));
const WAIT = { timeout: 10_000, interval: 50 };
const CATALOGUE = stages().flatMap((stage) => problemsOf(stage).map((p) => ({ stage, ...p })));
const NAMES = ['Ada', 'Grace', 'Barbara', 'Edsger', 'Leslie', 'Nancy', 'Joe', 'Robert', 'Radia', 'Ken', 'Margaret', 'Frances', 'Butler', 'Jim', 'Tony',
  'Donald', 'Alan', 'Hedy', 'Katherine', 'Sophie', 'Anita', 'Shafi', 'Ivan', 'John', 'Dennis', 'Brian', 'Marissa', 'Werner', 'Kathleen Booth-Smith the Third', 'Lynn'];
const MASTER = 'the master read the result before reduce job 0 had written';
/** What the starter's tests say first, per problem (and, for a few, what a later mistake says). */
const HEADLINES: Record<string, string[]> = {
  'exercise1-connect warm-up': ['connectAll([dave, nobody, chris]) returned []: it should connect to chris and dave (nobody does not exist) and return [chris, dave]', "isUp(chris) should be true: that node is running, so a ping answers 'pong'"],
  'exercise1-connect problem 1': ['the producer on manager sent its first ping, and the consumer on manager itself did not get it: broadcast must cast to the consumer on every connected node, this node included'],
  'exercise1-connect problem 2': ['the producer on ping-pong1 collected {}, expected {manager: 3, ping-pong1: 3, ping-pong2: 3}: ask the consumer on every connected node, this one included, and return their answers'],
  'exercise2-monitoring warm-up': ["a process that returned normally: watch said 'TODO', expected 'normal exit'"],
  'exercise2-monitoring problem 1': ["after its restart, consumer on ping-pong1 saw 0 pings, expected 6 (missing: manager's pings 1 to 2, ping-pong1's ping 1, ping-pong2's pings 1 to 3): a starting consumer must ask every producer for its count"],
  'exercise2-monitoring problem 2': ["after the heal consumer on ping-pong2 saw 3 pings, expected 4 (missing: ping-pong1's ping 2): on nodeup each producer must send its current count, as a ping from its own node, to the newcomer's consumer"],
  'exercise3-map-reduce warm-up': ['word count of "The cat and the hat sat on the mat.": 7 differences from a plain count of its 7 words, e.g. "the" is missing (it occurs 3 times)'],
  'exercise3-map-reduce problem 1': [MASTER],
  'exercise3-map-reduce problem 2': ['the master handed no task to a worker that announced itself (a job of one map job, on a master in the test\'s process, within 1 s)'],
};

function post(url: string, body: unknown, from: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: `/report${target.search}`, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const headline = (problem: string, i: number): string => {
  const said = HEADLINES[problem] ?? [`${problem} failed`];
  return said[i % said.length] as string;
};

/** Attendee `i`'s run: the first `i % 9` problems of the lessons green, the next one red. */
function runOf(i: number) {
  const upTo = i % 9;
  return {
    name: NAMES[i] as string,
    results: CATALOGUE.slice(0, upTo + 1).map((p, j) =>
      j < upTo ? { stage: p.stage, problem: p.problem, passed: 3, failed: 0 } : { stage: p.stage, problem: p.problem, passed: 1, failed: 2, headline: headline(`${p.stage} ${p.problem}`, i) },
    ),
  };
}

describe.skipIf(NO_BROWSER)(`the room's page in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let room: Room;
  let now = 1_000_000_000;

  beforeAll(async () => {
    room = await openRoom({ addresses: () => [], catalogue: CATALOGUE, now: () => now });
    browser = await launch();
    // Thirty laptops post, one after another a minute apart; the first twelve go quiet long enough to be away.
    for (let i = 0; i < NAMES.length; i++) {
      now += 60_000;
      expect(await post(room.url, runOf(i), `127.0.2.${i + 1}`)).toBe(204);
      if (i === 11) now += 20 * 60_000;
    }
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await room?.close();
  });

  /** What would not fit: text that spills out of its box (unless cut on purpose, with the whole of it in a tooltip), a page that scrolls, panels that overlap. */
  const misfits = (page: Page) =>
    page.evaluate(() => {
      const found: string[] = [];
      const doc = document.documentElement;
      if (doc.scrollWidth > innerWidth || doc.scrollHeight > innerHeight) found.push(`the page scrolls: ${doc.scrollWidth}x${doc.scrollHeight} in ${innerWidth}x${innerHeight}`);
      for (const node of Array.from(document.querySelectorAll<HTMLElement>('h1, h2, #summary, .stage-title, .later, .problem .name, .counts, .top, th, td'))) {
        if (node.offsetParent === null) continue;
        const style = getComputedStyle(node);
        const cut = style.textOverflow === 'ellipsis' || style.webkitLineClamp !== 'none';
        const spills = node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
        if (spills && !(cut && node.title)) found.push(`${node.tagName.toLowerCase()}.${node.className}: "${(node.textContent ?? '').slice(0, 60)}" spills out of its box`);
        if (parseFloat(style.fontSize) < 12) found.push(`"${(node.textContent ?? '').slice(0, 40)}" is set in ${style.fontSize}`);
        const box = node.getBoundingClientRect();
        if (box.right > innerWidth + 1 || box.bottom > innerHeight + 1) found.push(`"${(node.textContent ?? '').slice(0, 40)}" ends outside the window`);
      }
      const list = document.getElementById('problem-list') as HTMLElement;
      if (list.scrollHeight > list.clientHeight + 1) found.push(`the problems need ${list.scrollHeight}px and have ${list.clientHeight}px`);
      const people = (document.getElementById('people') as HTMLElement).getBoundingClientRect();
      const table = (document.getElementById('attendees') as HTMLElement).getBoundingClientRect();
      if (table.bottom > people.bottom + 1) found.push(`the attendees' table ends ${Math.round(table.bottom - people.bottom)}px below its column`);
      const problems = (document.getElementById('problems') as HTMLElement).getBoundingClientRect();
      if (problems.right > people.left) found.push('the two columns overlap');
      return found;
    });

  for (const [width, height] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    it(`at ${width}x${height}: every attendee, where each is and for how long, green and red per problem, and the failure the room shares, all fitting`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      const errors = collectErrors(page);
      await page.goto(room.url);
      await page.waitForSelector('body[data-connected="true"]');
      await expect.poll(() => page.locator('#attendees tbody tr').count(), WAIT).toBe(30);
      expect(await page.locator('#summary').textContent()).toMatch(/^30 attendees, 18 active · updated /);
      // Every attendee, by name, and where the view puts them.
      for (const [i, name] of NAMES.entries()) {
        const row = page.locator(`#attendees tbody tr[data-name="${name}"]`);
        const expected = CATALOGUE[i % 9] as { stage: string; problem: string };
        expect(await row.locator('td.on').textContent(), name).toBe(`${expected.stage.replace(/^exercise(\d+).*/, '$1')} · ${expected.problem}`);
        expect(await row.locator('td.cells span.green').count(), name).toBe(i % 9);
        expect(await row.locator('td.cells span.red').count(), name).toBe(1);
        expect(await row.getAttribute('class'), name).toBe(i < 12 ? 'away' : '');
      }
      expect(await page.locator('tr[data-name="Lynn"] td.for').textContent()).toBe('< 1 min');
      expect(await page.locator('tr[data-name="Ada"] td.for').textContent()).toBe('away');
      // Per problem: green and red, and the failure most of the red share.
      const master = page.locator('li.problem[data-stage="exercise3-map-reduce"][data-problem="problem 1"]');
      expect(await master.locator('.counts').textContent()).toBe('3 ✓ 3 ✗ · 3 on it');
      expect(await master.locator('.top').textContent()).toBe(`3 of 3: ${MASTER}`);
      expect(await page.locator('li.problem[data-stage="exercise1-connect"][data-problem="warm-up"] .counts').textContent()).toBe('26 ✓ 4 ✗ · 4 on it');
      expect(await page.locator('li.later').textContent()).toBe('Not reached yet: stage 4 (link shortener), stage 5 (crdt)');
      expect(await misfits(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `room-${width}x${height}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('follows the room: a newcomer appears and a fixed problem turns green without reloading', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(room.url);
    await page.waitForSelector('body[data-connected="true"]');
    now += 60_000;
    expect(await post(room.url, { name: 'Newcomer', results: [{ stage: 'exercise1-connect', problem: 'warm-up', passed: 7, failed: 0 }] }, '127.0.2.100')).toBe(204);
    await page.waitForSelector('tr[data-name="Newcomer"] td.on:text("1 · all green")', { timeout: WAIT.timeout });
    expect(await page.locator('#summary').textContent()).toMatch(/^31 attendees/);
    expect(await misfits(page)).toEqual([]);
    await page.close();
  });
});
