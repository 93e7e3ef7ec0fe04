// Stage 5's figure for `npm run bench`: how long the redirect counts take to
// agree again after a partition heals. Three nodes run the solution; each round
// cuts one node off, serves redirects on both sides until each side agrees
// within itself, heals, and times until every node's GET /<code>/aggregates
// answers the total: from Schism.heal resolving (every connection back up, so
// what is left is nodeup and the merges it sends) and from the heal's start
// (reconnecting included). Medians over BENCH_PARTITIONS rounds (20).
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpc } from '../lib/index.ts';
import { LocalCluster, Schism, startStorage } from '../lib/cluster/index.ts';

/** Stage 5's shortener, on nodes that run the reference solution (DISTSYS_TARGET below), not a learner's code. */
const APP = '#stage/exercise5-crdt/shortener.ts';
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 20);

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function count(port: number, code: string): Promise<number> {
  const answer = await call(port, 'GET', `/${code}/aggregates`);
  const m = /^Redirects: (\d+)/.exec(answer.body);
  if (!m) throw new Error(`bench: GET /${code}/aggregates answered ${answer.status} ${answer.body}`);
  return Number(m[1]);
}

/** Polls until every port answers `total` (10 s at most); resolves with the time it took, in ms. */
async function until(ports: number[], code: string, total: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const counts = await Promise.all(ports.map((port) => count(port, code)));
    if (counts.every((n) => n === total)) return performance.now() - t0;
    if (performance.now() - t0 > 10_000) throw new Error(`bench: the counts stayed at ${counts.join(', ')}, expected ${total} everywhere`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function convergenceFigures(): Promise<void> {
  // A storage of its own, so this part leaves the harness's (which other parts start and stop) alone.
  const dir = mkdtempSync(join(tmpdir(), 'distsys-bench-crdt-'));
  const store = await startStorage({ dir });
  const nodes = await LocalCluster.startNodes('crdtbench', 3, { boot: APP, env: { DISTSYS_TARGET: 'solutions', DISTSYS_SHORTENER_PORT: '0', DISTSYS_STORAGE_URL: store.url } }).catch(async (err: unknown) => {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    const ports = await Promise.all(nodes.map((node) => rpc.call<number>(node, APP, 'httpPort')));
    const created = await call(ports[0] as number, 'POST', '/', 'url=https://elixir-lang.org/blog');
    if (created.status !== 201) throw new Error(`bench: POST / answered ${created.status} ${created.body}`);
    const code = created.body;
    let total = 0;
    const afterHeal: number[] = [];
    const fromHeal: number[] = [];
    for (let round = 0; round < PARTITIONS; round++) {
      const cut = round % 3;
      const others = ports.filter((_, i) => i !== cut);
      await Schism.partition([nodes[cut] as string]);
      // Two redirects on the larger side, one on the node cut off; each side agrees within itself first.
      for (const port of [...others, ports[cut] as number]) {
        const answer = await call(port, 'GET', `/${code}`);
        if (answer.status !== 302) throw new Error(`bench: GET /${code} answered ${answer.status}`);
      }
      total += 3;
      await until(others, code, total - 1);
      await until([ports[cut] as number], code, total - 2); // the node cut off: what it knew before, and its own
      const t0 = performance.now();
      await Schism.heal([nodes[cut] as string]);
      const healed = performance.now();
      await until(ports, code, total);
      afterHeal.push(performance.now() - healed);
      fromHeal.push(performance.now() - t0);
    }
    const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
    console.log(`stage 5, redirect counts after a partition heals, ${PARTITIONS} partitions of 3 nodes (one cut off, redirects on both sides):`);
    console.log(`  from Schism.heal resolving to every node's GET /<code>/aggregates showing the total: ${fmt(afterHeal)}`);
    console.log(`  from the heal's start (reconnecting included):                                     ${fmt(fromHeal)}`);
  } finally {
    await LocalCluster.stopNodes(nodes);
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
