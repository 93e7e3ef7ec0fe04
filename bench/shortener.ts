// The link shortener's figures (stage 4), for `npm run bench`:
//  - the ring: 10,000 codes on 3 nodes, each node's share of the circle and of
//    the codes, and the codes that move when a fourth node joins, next to hash mod N;
//  - redirects per second that one node serves from its cache, measured with
//    autocannon, next to a bare node:http server that answers 302 on the same machine.
import autocannon from 'autocannon';
import { execa } from 'execa';
import { HashRing, Node, ringPosition, rpc } from '../lib/index.ts';
import { DEFAULT_VNODES } from '../lib/hashRing.ts';
import { aliveOf } from '../lib/nodeName.ts';
import { LocalCluster, spawnNode } from '../lib/cluster/index.ts';
import { shortCode } from '#stage/exercise4-link-shortener/shortCode.ts';

/** Stage 4's shortener, on nodes that run the reference solution (DISTSYS_TARGET below), not a learner's code. */
const APP = '#stage/exercise4-link-shortener/shortener.ts';
const CODES = 10_000;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = 10;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export function ringFigures(): void {
  const codes = Array.from({ length: CODES }, (_, i) => shortCode(`https://example.com/page/${i}`));
  const three = ['shortener1@host', 'shortener2@host', 'shortener3@host'];
  const ring3 = new HashRing(three);
  const ring4 = new HashRing([...three, 'shortener4@host']);
  const owners = codes.map((code) => ring3.find(code));
  const circle = ring3.shares();
  console.log(`ring, ${CODES.toLocaleString('en-US')} codes on 3 nodes (${DEFAULT_VNODES} points each):`);
  for (const node of three) {
    const held = owners.filter((o) => o === node).length / CODES;
    console.log(`  ${aliveOf(node)}: ${pct(circle.get(node) ?? 0)} of the circle, ${pct(held)} of the codes`);
  }
  const after = codes.map((code) => ring4.find(code));
  const moved = codes.filter((_, i) => after[i] !== owners[i]).length / CODES;
  const betweenOld = codes.filter((_, i) => after[i] !== owners[i] && after[i] !== 'shortener4@host').length;
  const bucket = (code: string, n: number) => ringPosition(code) % n;
  const movedMod = codes.filter((code) => bucket(code, 3) !== bucket(code, 4)).length / CODES;
  console.log(`  a fourth node joins: ${pct(moved)} of the codes move on the ring (${betweenOld} between the old nodes), ${pct(movedMod)} with hash mod N`);
}

/** Requests per second autocannon gets from GET `url` (only 302s count; any other answer is an error). */
async function redirectsPerSecond(url: string, seconds = SECONDS): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  if (result.errors > 0 || result.timeouts > 0 || result['3xx'] !== total) {
    throw new Error(`bench: ${url} answered ${result['3xx']} redirects of ${total}, with ${result.errors} errors and ${result.timeouts} timeouts`);
  }
  return result['3xx'] / result.duration;
}

/** A bare node:http server in its own process that answers every request with the same 302. */
async function bareRedirectServer(location: string) {
  const script = `
    const { createServer } = require('node:http');
    const location = ${JSON.stringify(location)};
    createServer((req, res) => {
      res.writeHead(302, { location, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(location) });
      res.end(location);
    }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`;
  const child = execa(process.execPath, ['-e', script], { buffer: false, reject: false, stdin: 'ignore', cleanup: true });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const m = /port (\d+)/.exec(chunk);
      if (m) resolve(Number(m[1]));
    });
    void child.then(() => reject(new Error('the bare server exited before it listened')));
  });
  return { port, stop: () => child.kill('SIGKILL') }; // a bare server holds nothing to clean up
}

export async function redirectFigures(runs: number, cookie: string): Promise<void> {
  await LocalCluster.storage();
  const node = await spawnNode({
    sname: `benchshort${process.pid}`,
    cookie,
    boot: APP,
    env: { DISTSYS_TARGET: 'solutions', DISTSYS_SHORTENER_PORT: '0', DISTSYS_SHORTENER_REPLICATION: 'full' },
  });
  const bare = await bareRedirectServer('https://elixir-lang.org/');
  try {
    await Node.connect(node.name);
    const port = await rpc.call<number>(node.name, APP, 'httpPort');
    const created = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: new URLSearchParams({ url: 'https://elixir-lang.org/' }) });
    const code = await created.text();
    if (created.status !== 201) throw new Error(`bench: the shortener answered ${created.status} ${code}`);
    // One second each first, unmeasured: the servers' code is compiled and warm before the runs count.
    await redirectsPerSecond(`http://127.0.0.1:${port}/${code}`, 1);
    await redirectsPerSecond(`http://127.0.0.1:${bare.port}/`, 1);
    const shortener: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < runs; r++) {
      shortener.push(await redirectsPerSecond(`http://127.0.0.1:${port}/${code}`));
      plain.push(await redirectsPerSecond(`http://127.0.0.1:${bare.port}/`));
    }
    const [s, p] = [median(shortener), median(plain)];
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(`redirects/s from one shortener node's cache: median ${fmt(s)} (autocannon, ${CONNECTIONS} connections, ${SECONDS} s, ${runs} runs)`);
    console.log(`redirects/s from a bare node:http server:    median ${fmt(p)}; the shortener serves ${(s / p).toFixed(2)} of that`);
  } finally {
    bare.stop();
    await node.stop();
    await (await LocalCluster.storageProcess())?.stop();
  }
}
