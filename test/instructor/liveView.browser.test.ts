// The live view in a real headless Chromium, on a real 3-node cluster: it shows
// the nodes, a partition soon after it happens, and its buttons act on the
// cluster (cut off, heal, kill -9, restart).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Node, rpc } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { AGENT } from '../../lib/cluster/agent.ts';
import { openView, type LiveView } from '../../apps/view/index.ts';
import { NO_BROWSER, collectErrors, launch } from '../support/browser.ts';

/** Bounds for waits: generous, since the machine may be busy; they end as soon as the condition holds. */
const WAIT = { timeout: 10_000, interval: 50 };

describe.skipIf(NO_BROWSER)(`the live view in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let view: LiveView;
  let page: Page;
  let errors: string[];
  let nodes: string[];

  beforeAll(async () => {
    await LocalCluster.start();
    [browser, nodes] = await Promise.all([launch(), LocalCluster.startNodes('viewed', 3)]);
    view = await openView({ title: 'three nodes' });
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    errors = collectErrors(page);
    await page.goto(view.url);
  });
  afterAll(async () => {
    await view?.close();
    await browser?.close();
    await LocalCluster.stopNodes();
  });

  const shownAs = (node: string) => page.locator(`g.node[data-node="${node}"]`);
  const blocked = (node: string) => rpc.call<string[]>(node, AGENT, 'blocked');

  it('shows the three nodes, up and connected to each other, and the view is connected', async () => {
    await page.waitForSelector('body[data-connected="true"]');
    for (const node of nodes) await expect.poll(() => shownAs(node).getAttribute('data-status'), WAIT).toBe('up');
    await expect.poll(() => page.locator('line.link[data-kind="connected"]').count(), WAIT).toBe(3);
    expect(await page.locator('#title').textContent()).toBe('three nodes');
    expect(errors).toEqual([]);
  });

  it('shows a partition made outside the page, and its heal', async () => {
    const [a] = nodes as [string];
    await Schism.partition([a]);
    const cutAt = performance.now();
    await page.waitForSelector('line.link[data-kind="cut"]', { timeout: 5_000 });
    const delay = performance.now() - cutAt;
    process.stdout.write(`live view: partition drawn ${delay.toFixed(0)} ms after Schism.partition resolved\n`);
    expect(await page.locator('line.link[data-kind="cut"]').count()).toBe(2);
    expect(await shownAs(a).getAttribute('data-cut')).toBe('true');
    await Schism.heal([a]);
    await expect.poll(() => page.locator('line.link[data-kind="connected"]').count(), WAIT).toBe(3);
  });

  it('cuts a node off and heals it with its buttons, on the real cluster', async () => {
    const b = nodes[1] as string;
    await page.click(`button[data-op="partition"][data-node="${b}"]`);
    await expect.poll(() => blocked(b), WAIT).toEqual(nodes.filter((n) => n !== b));
    for (const other of nodes.filter((n) => n !== b)) await expect.poll(() => blocked(other), { ...WAIT, message: `${other} is cut off from ${b} too` }).toEqual([b]);
    await expect.poll(() => rpc.call<string[]>(b, AGENT, 'nodes'), WAIT).toEqual([Node.self()]);
    await page.waitForSelector(`g.node[data-node="${b}"][data-cut="true"]`);
    await page.click('#heal:enabled');
    await expect.poll(() => blocked(b), WAIT).toEqual([]);
    await expect.poll(async () => (await rpc.call<string[]>(b, AGENT, 'nodes')).sort(), WAIT).toEqual([...nodes.filter((n) => n !== b), Node.self()].sort());
    await expect.poll(() => page.locator('line.link[data-kind="connected"]').count(), WAIT).toBe(3);
  });

  it('kills a node with kill -9 and restarts it, with its buttons', async () => {
    const c = nodes[2] as string;
    const before = LocalCluster.osPid(c) as number;
    await page.click(`button[data-op="kill"][data-node="${c}"]`);
    await expect.poll(() => LocalCluster.nodes(), WAIT).not.toContain(c);
    const alive = () => {
      try {
        return process.kill(before, 0);
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { ...WAIT, message: 'the killed node process is gone' }).toBe(false);
    await page.waitForSelector(`g.node[data-node="${c}"][data-status="down"]`);
    await page.click(`button[data-op="restart"][data-node="${c}"]:enabled`);
    await expect.poll(() => LocalCluster.nodes(), { timeout: 20_000, interval: 50 }).toContain(c);
    expect(LocalCluster.osPid(c)).not.toBe(before);
    expect(await Node.ping(c)).toBe('pong');
    await page.waitForSelector(`g.node[data-node="${c}"][data-status="up"]`, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});
