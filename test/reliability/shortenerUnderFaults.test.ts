// Faults under load, stage 4: while links are created and followed over HTTP on
// three shortener nodes (the reference solution), nodes and the storage are
// killed with -9 and started again, over and over (the storage also at once
// after its kill). Afterwards, every link whose create was acknowledged (201)
// resolves on every node: an acknowledged link is never lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { FIXTURES } from './fixtures.ts';

/** Stage 4's shortener; the nodes run the reference solution, whatever this run's DISTSYS_TARGET. */
const APP = '#stage/exercise4-link-shortener/shortener.ts';
const ROUNDS = 8;
let nodes: NodeName[] = [];
const ports = new Map<NodeName, number>();

afterAll(() => LocalCluster.stopNodes());

beforeAll(async () => {
  await LocalCluster.start();
  nodes = await LocalCluster.startNodes('chaos', 3, { boot: APP, storage: true, env: { DISTSYS_TARGET: 'solutions', DISTSYS_SHORTENER_PORT: '0' } });
  for (const node of nodes) ports.set(node, await rpc.call<number>(node, FIXTURES, 'shortenerPort'));
});

/** One HTTP request; undefined if the node could not be reached (it may be down right now). */
function http(port: number, method: string, path: string, body?: string): Promise<{ status: number; location?: string; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, timeout: 5_000, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), body: text.trim() }));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

describe('faults under load', () => {
  it('stage 4: links acknowledged while nodes and the storage are killed -9 and restarted all resolve on every node afterwards', async () => {
    const acked = new Map<string, string>();
    let requests = 0;
    let kills = 0;
    let storageKills = 0;
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const node = nodes[i % nodes.length] as NodeName;
        const port = ports.get(node) as number;
        const url = `https://example.org/chaos/${i}`;
        const created = await http(port, 'POST', '/', `url=${encodeURIComponent(url)}`);
        requests++;
        if (created?.status === 201) acked.set(created.body, url);
        const known = [...acked.keys()];
        if (known.length) {
          await http(port, 'GET', `/${known[i % known.length]}`);
          requests++;
        }
      }
    })();
    const storage = await LocalCluster.storageProcess();
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 3 === 2 && storage) {
        await storage.kill('SIGKILL');
        await storage.restart(); // at once, while its killed incarnation's lock may still linger
        storageKills++;
      } else {
        const victim = nodes[round % nodes.length] as NodeName;
        await LocalCluster.kill(victim);
        kills++;
        await LocalCluster.restart(victim);
        ports.set(victim, await rpc.call<number>(victim, FIXTURES, 'shortenerPort'));
      }
    }
    running = false;
    await load;

    expect(acked.size, 'no create was acknowledged at all: the load did not run').toBeGreaterThan(20);
    const lost: string[] = [];
    for (const node of nodes) {
      for (const [code, url] of acked) {
        const found = await http(ports.get(node) as number, 'GET', `/${code}`);
        if (found?.status !== 302 || found.location !== url) lost.push(`${code} on ${node}: ${found ? found.status : 'no answer'}`);
      }
    }
    process.stdout.write(`faults under load (stage 4): ${kills} node kills and restarts, ${storageKills} storage kills and restarts, ${requests} requests, ${acked.size} acknowledged links checked on ${nodes.length} nodes\n`);
    expect(lost, `acknowledged links that no longer resolve: ${lost.slice(0, 5).join('; ')}`).toEqual([]);
  });
});
