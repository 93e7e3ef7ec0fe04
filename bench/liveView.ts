// How long the live view takes to draw a partition: from Schism.partition
// resolving to the cut on the page in headless Chromium, median of 10
// (`node --import ./lib/boot/typescript.mjs bench/liveView.ts`). A figure, not an assertion.
import { LocalCluster, Schism } from '../lib/cluster/index.ts';
import { openView } from '../apps/view/index.ts';
import { launch } from '../test/support/browser.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
await LocalCluster.start({ sname: `bench${process.pid}` });
const nodes = await LocalCluster.startNodes(`lv${process.pid}x`, 3);
const view = await openView({ title: 'bench' });
const browser = await launch();
const page = await browser.newPage();
await page.goto(view.url);
await page.waitForFunction(() => document.querySelectorAll('line.link[data-kind="connected"]').length === 3);
const delays: number[] = [];
for (let i = 0; i < RUNS; i++) {
  await Schism.partition([nodes[i % 3] as string]);
  const t0 = performance.now();
  await page.waitForSelector('line.link[data-kind="cut"]', { timeout: 10_000 });
  delays.push(performance.now() - t0);
  await Schism.heal([nodes[i % 3] as string]);
  await page.waitForFunction(() => document.querySelectorAll('line.link[data-kind="connected"]').length === 3, undefined, { timeout: 10_000 });
}
delays.sort((a, b) => a - b);
process.stdout.write(`live view, partition to picture: median ${delays[Math.floor(delays.length / 2)]?.toFixed(0)} ms over ${RUNS} (min ${delays[0]?.toFixed(0)}, max ${delays.at(-1)?.toFixed(0)})\n`);
await browser.close();
await view.close();
await LocalCluster.stopNodes();
process.exit(0);
