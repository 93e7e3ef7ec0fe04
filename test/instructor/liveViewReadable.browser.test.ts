// The live view read from the back of a room, in a real headless Chromium at a
// projector's 1280x720 and at 1920x1080, on a real 3-node ping-pong cluster with
// messages in flight: every text lies inside its box and inside the window
// (nothing runs under the side panel or is cut short), message labels keep
// clear of each other and of the nodes, the list shows payloads whole in type a
// room can read, and a message the partition drops is drawn as dropped. Measured
// with the DOM (boxes of the text), not by pixels. With DISTSYS_SCREENSHOT_DIR
// set, it also writes its pictures there, for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { GenServer, rpc } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { openView, type LiveView } from '../../apps/view/index.ts';
import { NO_BROWSER, collectErrors, launch } from '../support/browser.ts';
import { fixture } from '../support/nodes.ts';
import { PING_PONG } from '../support/pingPong.ts';

/** Bounds for waits: generous, since the machine may be busy; they end as soon as the condition holds. */
const WAIT = { timeout: 15_000, interval: 50 };
const app = fixture('app.ts');
const SHOTS = process.env.DISTSYS_SCREENSHOT_DIR;
const TITLE = 'ping-pong: producers and consumers through a partition and a heal';

interface Reading {
  problems: string[];
  labels: number;
  listed: number;
  payloadPx: number;
  labelPx: number;
}

/**
 * Runs in the page: what a person at the back of the room could not read. Every visible text
 * (HTML and SVG) inside the window and inside each box that clips it or contains it; no element
 * cutting its text short; each message label inside the picture, clear of the side panel, the
 * nodes and the other labels, its words inside its box; each item of the list whole inside it.
 */
function read(): Reading {
  const problems: string[] = [];
  const box = (e: Element) => e.getBoundingClientRect();
  const within = (a: DOMRect, b: DOMRect) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const meets = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const named = (e: Element) => `<${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.replace(/ /g, '.')}` : ''}> "${(e.textContent ?? '').trim().slice(0, 50)}"`;
  const window_ = new DOMRect(0, 0, innerWidth, innerHeight);

  // HTML text: each line box of each visible text node.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const parent = t.parentElement as Element;
    if (!t.textContent?.trim() || parent.closest('svg')) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    for (const line of Array.from(range.getClientRects())) {
      if (line.width === 0 || line.height === 0) continue;
      if (!within(line, window_)) problems.push(`${named(parent)} leaves the window`);
      let block: Element | null = parent;
      while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
      if (block && !within(line, box(block))) problems.push(`${named(parent)} runs out of its box ${named(block)}`);
      for (let a: Element | null = parent; a && a !== document.documentElement; a = a.parentElement) {
        const s = getComputedStyle(a);
        if ((s.overflowX !== 'visible' || s.overflowY !== 'visible') && !within(line, box(a))) problems.push(`${named(parent)} is cut off by ${named(a)}`);
      }
    }
  }
  for (const e of Array.from(document.querySelectorAll('body *'))) {
    if (e.closest('svg') || !(e instanceof HTMLElement) || e.getClientRects().length === 0) continue;
    const s = getComputedStyle(e);
    if (s.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1) problems.push(`${named(e)} cuts its text short (${e.scrollWidth} px wide in ${e.clientWidth})`);
    if (s.overflowY !== 'visible' && e.scrollHeight > e.clientHeight + 1) problems.push(`${named(e)} hides text below its bottom (${e.scrollHeight} px tall in ${e.clientHeight})`);
  }

  // The picture: every text inside it and clear of the side panel; node names inside their boxes.
  const picture = box(document.getElementById('picture') as Element);
  const aside = box(document.querySelector('aside') as Element);
  for (const text of Array.from(document.querySelectorAll('#picture text'))) {
    const b = box(text);
    if (b.width === 0) continue;
    if (!within(b, picture)) problems.push(`the picture's ${named(text)} leaves the picture`);
    if (meets(b, aside)) problems.push(`the picture's ${named(text)} runs under the side panel`);
  }
  const nodes = Array.from(document.querySelectorAll('g.node')).map((g) => ({ g, b: box(g.querySelector('rect') as Element) }));
  for (const { g, b } of nodes) for (const text of Array.from(g.querySelectorAll('text'))) if (!within(box(text), b)) problems.push(`${named(text)} leaves its node's box`);
  // Marks drawn under the nodes (CUT, a drop's ✕) must not hide beneath them.
  for (const text of Array.from(document.querySelectorAll('#picture text'))) {
    if (text.closest('g.node')) continue;
    for (const n of nodes) if (meets(box(text), n.b)) problems.push(`${named(text)} lies under the node ${n.g.getAttribute('data-node')}`);
  }

  // Message labels: apart from each other and from the nodes, their words inside their boxes, large enough.
  const labels = Array.from(document.querySelectorAll('g.msglabel')).map((g) => ({ g, b: box(g.querySelector('rect') as Element), t: g.querySelector('text') as SVGTextElement }));
  let labelPx = Infinity;
  for (const [i, { g, b, t }] of labels.entries()) {
    if (!within(box(t), b)) problems.push(`the words of ${named(g)} leave its box`);
    if (!within(b, picture)) problems.push(`${named(g)} leaves the picture`);
    if (meets(b, aside)) problems.push(`${named(g)} runs under the side panel`);
    for (const n of nodes) if (meets(b, n.b)) problems.push(`${named(g)} covers the node ${n.g.getAttribute('data-node')}`);
    for (const other of labels.slice(i + 1)) if (meets(b, other.b)) problems.push(`${named(g)} overlaps ${named(other.g)}`);
    labelPx = Math.min(labelPx, Number(t.getAttribute('font-size')) * ((document.getElementById('picture') as unknown as SVGSVGElement).getScreenCTM()?.a ?? 0));
  }

  // The list: whole items only, payloads in type a room can read.
  const list = box(document.getElementById('recent') as Element);
  const items = Array.from(document.querySelectorAll('#recent li'));
  for (const li of items) if (!within(box(li), list)) problems.push(`${named(li)} is not whole in the list`);
  const payload = document.querySelector('#recent .payload');
  return {
    problems,
    labels: labels.length,
    listed: items.length,
    payloadPx: payload ? Number.parseFloat(getComputedStyle(payload).fontSize) : 0,
    labelPx: labels.length ? labelPx : 0,
  };
}

describe.skipIf(NO_BROWSER)(`the live view, readable from the back of a room${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let view: LiveView;
  let nodes: string[];
  let pinger: NodeJS.Timeout;

  beforeAll(async () => {
    await LocalCluster.start();
    [browser, nodes] = await Promise.all([launch(), LocalCluster.startNodes('readable', 3, { boot: PING_PONG })]);
    view = await openView({ title: TITLE });
    view.caption('4. pings on both sides of the cut');
    // Traffic on every link, as in the ping-pong demo: each producer pings all consumers.
    pinger = setInterval(() => {
      for (const node of nodes) void GenServer.call({ name: 'producer', node }, 'ping', 5_000).catch(() => undefined);
    }, 250);
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    clearInterval(pinger);
    await view?.close();
    await browser?.close();
    await LocalCluster.stopNodes();
  });

  const shoot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const readable = async (page: Page, what: string) => {
    const reading = await page.evaluate(read);
    process.stdout.write(`live view ${what}: ${reading.labels} labels (${reading.labelPx.toFixed(1)} px and up), ${reading.listed} messages listed in ${reading.payloadPx} px type\n`);
    expect(reading.problems, `what the room cannot read, ${what}`).toEqual([]);
    return reading;
  };

  for (const [width, height] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    it(`at ${width}x${height}: no text out of its box, labels apart, payloads whole, and a message the partition drops drawn as dropped`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      const errors = collectErrors(page);
      try {
        await page.goto(view.url);
        await page.waitForSelector('body[data-connected="true"]');
        await expect.poll(() => page.locator('g.msglabel').count(), { ...WAIT, message: 'labels of the pings in flight' }).toBeGreaterThan(1);
        await expect.poll(() => page.locator('#recent li').count(), { ...WAIT, message: 'pings in the list' }).toBeGreaterThan(1);
        const mesh = await readable(page, `at ${width}x${height}, pings on every link`);
        expect(mesh.payloadPx, 'the payloads of the list in readable type').toBeGreaterThanOrEqual(19);
        expect(mesh.labelPx, 'the labels in readable type').toBeGreaterThanOrEqual(18);
        // Whole payloads: the ping's node name at its end, not an ellipsis.
        expect(await page.locator('#recent .payload').first().textContent()).toMatch(/^consumer: cast \{ping: \{index: \d+, node: "readable\d@[^"]+"\}\}$/);
        await shoot(page, `view-${width}x${height}-mesh`);

        // A partition (the last node: its cut links include the short one at the bottom), and messages
        // sent straight across it: the harness drops them, the page draws them dropped.
        const [, b, a] = nodes as [string, string, string];
        await Schism.partition([a]);
        const across = setInterval(() => void rpc.call(a, app, 'sendNumbers', [{ name: 'consumer', node: b }, 1]).catch(() => undefined), 400);
        try {
          await page.waitForSelector(`.dropmark[data-from="${a}"][data-to="${b}"]`, { timeout: WAIT.timeout });
          await page.waitForSelector(`g.msglabel[data-kind="drop"][data-from="${a}"][data-to="${b}"]`, { timeout: WAIT.timeout });
          await expect.poll(() => page.locator('#recent li.k-drop').first().textContent(), WAIT).toMatch(/^DROPPED by the partition\s*readable3 → readable2\s*consumer: \{(n: 0|done: true)\}$/);
          await readable(page, `at ${width}x${height}, a partition dropping messages`);
          await shoot(page, `view-${width}x${height}-partition`);
        } finally {
          clearInterval(across);
          await Schism.heal([a]);
        }
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);
  }

  it('greys out what it can no longer do once it has lost its cluster, and says why', async () => {
    // A view of its own, to close: with a farewell (a demo that ended), then without (a view that died).
    for (const farewell of ['The demo has ended: its nodes are stopped.', undefined]) {
      const gone = await openView({ title: TITLE });
      let closed = false;
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      try {
        await page.goto(gone.url);
        await page.waitForSelector('body[data-connected="true"]');
        const [a] = nodes as [string];
        await Schism.partition([a]);
        await page.waitForSelector('#heal:enabled', { timeout: WAIT.timeout });
        await gone.close(farewell);
        closed = true;
        await page.waitForSelector('body[data-connected="false"]', { timeout: WAIT.timeout });
        if (farewell) {
          expect(await page.locator('body').getAttribute('data-ended')).toBe('true');
          expect(await page.locator('#offline').textContent()).toBe(farewell);
        } else expect(await page.locator('#offline').textContent()).toMatch(/^Not connected/);
        expect(await page.locator('#heal').isDisabled(), 'Heal every cut, with nobody left to heal').toBe(true);
        expect(await page.locator('button[data-op]:enabled').count(), 'buttons still on').toBe(0);
        expect(Number(await page.locator('#picture').evaluate((e) => getComputedStyle(e).opacity)), 'the picture, greyed').toBeLessThan(1);
        await readable(page, `after losing its cluster (${farewell ? 'the demo ended' : 'the view died'})`);
        await shoot(page, `view-1280x720-${farewell ? 'ended' : 'lost'}`);
      } finally {
        await Schism.heal([nodes[0] as string]);
        await page.close();
        if (!closed) await gone.close();
      }
    }
  }, 90_000);
});
