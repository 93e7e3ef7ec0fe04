// Screenshots of what the kit shows in a browser, as a person at the back of
// the room would see it: the live view (with messages in flight and a
// partition), a trace page and the slides. Written to screenshots/ (git
// ignores it): `node --import ./lib/boot/typescript.mjs tools/screenshots.ts`.
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GenServer } from '../lib/index.ts';
import { LocalCluster, Schism } from '../lib/cluster/index.ts';
import { openView } from '../apps/view/index.ts';
import { writeTracePage } from '../apps/tracePage/render.ts';
import { DemoCluster, LIBRARY } from '../apps/demoRunner/demoCluster.ts';
import { launch } from '../test/support/browser.ts';

const OUT = resolve('screenshots');
mkdirSync(OUT, { recursive: true });
const what = new Set(process.argv.slice(2));
const wanted = (name: string) => what.size === 0 || what.has(name);
const browser = await launch();
const shots: string[] = [];
const shoot = async (name: string, url: string, width = 1600, height = 900, full = false) => {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(url);
  await page.waitForTimeout(600);
  const file = join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: full });
  shots.push(file);
  return page;
};

try {
  if (wanted('view')) {
    await LocalCluster.start();
    const nodes = await LocalCluster.startNodes('ping-pong', 4, { boot: resolve('solutions/exercise2-monitoring/pingPong.ts') });
    const view = await openView({ title: 'ping-pong: producers and consumers' });
    view.caption('4. pings on both sides of the cut');
    const pinger = setInterval(() => {
      for (const n of nodes) void GenServer.call({ name: 'producer', node: n }, 'ping').catch(() => undefined);
    }, 120);
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(view.url);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(OUT, 'view-mesh.png') });
    shots.push(join(OUT, 'view-mesh.png'));
    await Schism.partition([nodes[0] as string]);
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(OUT, 'view-partition.png') });
    shots.push(join(OUT, 'view-partition.png'));
    await LocalCluster.kill(nodes[3] as string);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(OUT, 'view-down.png') });
    shots.push(join(OUT, 'view-down.png'));
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, 'view-1024x768.png') });
    shots.push(join(OUT, 'view-1024x768.png'));
    clearInterval(pinger);
    await view.close();
    await LocalCluster.stopNodes();
  }
  if (wanted('terminals')) {
    // The first-steps demo's picture: lone nodes, a partial mesh, a node kept out by its cookie.
    await LocalCluster.start();
    const cluster = new DemoCluster();
    const view = await openView({ access: cluster, title: 'first-steps: connect, ping, a transitive mesh, cookies' });
    view.caption('5. cookies: another cookie keeps a node out');
    const [chris, ben, dave, lonestar] = await Promise.all([
      cluster.terminal('chris'),
      cluster.terminal('ben'),
      cluster.terminal('dave'),
      cluster.terminal('lonestar', { cookie: 'lonestar' }),
    ]);
    await shoot('terminals-alone', view.url);
    await chris.call(LIBRARY, 'Node.connect', [ben.name]);
    await dave.call(LIBRARY, 'Node.connect', [chris.name]);
    await ben.call(LIBRARY, 'Node.setCookie', ['lonestar']);
    await ben.call(LIBRARY, 'Node.connect', [lonestar.name]);
    await shoot('terminals-cookies', view.url);
    await view.close();
    await cluster.stop();
  }
  if (wanted('trace')) {
    const dir = resolve(process.env.DISTSYS_TRACE_DIR ?? 'traces');
    const file = process.env.DISTSYS_SCREENSHOT_TRACE ?? join(dir, readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()[0] as string);
    const page = writeTracePage(file, join(OUT, 'trace.html'));
    await shoot('trace', pathToFileURL(page).href, 1600, 1000);
    await shoot('trace-full', pathToFileURL(page).href, 1600, 1000, true);
  }
  if (wanted('slides')) {
    for (const f of readdirSync('slides').filter((f) => /^\d\d-.*\.html$/.test(f))) {
      const url = pathToFileURL(resolve('slides', f)).href;
      for (const n of [1, 5, 17, 33]) await shoot(`slides-${f.slice(0, 2)}-${n}`, `${url}#${n}`, 1280, 720);
      await shoot(`slides-${f.slice(0, 2)}-presenter`, `${url}?view=presenter#17`, 1600, 900);
    }
  }
} finally {
  await browser.close();
  await LocalCluster.stopNodes().catch(() => undefined);
}
process.stdout.write(`${shots.join('\n')}\n`);
process.exit(0);
