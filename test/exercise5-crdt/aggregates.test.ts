// Stage 5, problems 2 and 3: redirect counts on three nodes, over real HTTP.
//  problem 2: a redirect counts at once on the node that served it; GET
//    /<code>/aggregates answers from the node's own table ("Redirects: N", or
//    JSON); each node's redirects reach the others as merges; a merge that
//    arrives twice, or late, changes nothing;
//  problem 3: counts converge after a partition heals, because on nodeup each
//    node sends its counters to the newcomer: the original workshop's scenario
//    (1; partition; 2, 2, 1; 4, 4, 2; heal; 5, 5, 5) and its netsplit recovery
//    (3 and 3 unseen across the cut, 6 everywhere after the heal), each once
//    over reliable links and once with seeded duplicated and delayed messages.
// Each test counts the redirects of a link of its own, so tests never share a count.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { rpc, type NodeName } from '../../lib/index.ts';
import { Faults, LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { label, stageModule, traceFailures } from '../support/stage.ts';
import { injectFaults } from '../support/faults.ts';
import { aggregates, follow, request, shorten, shown } from './api.ts';

const APP = stageModule('exercise5-crdt/shortener.ts');
const PROBE = new URL('./probe.ts', import.meta.url).href;

let nodes: NodeName[] = [];
let n1: NodeName;
let n2: NodeName;
let n3: NodeName;
const ports = new Map<NodeName, number>();
const portOf = (node: NodeName) => ports.get(node) as number;

beforeAll(async () => {
  await LocalCluster.start();
  nodes = await LocalCluster.startNodes('shortener', 3, { boot: APP, storage: true, env: { DISTSYS_SHORTENER_PORT: '0' } });
  [n1, n2, n3] = nodes as [NodeName, NodeName, NodeName];
  for (const node of nodes) ports.set(node, await rpc.call<number>(node, PROBE, 'port'));
});
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();
afterEach(async () => {
  if (LocalCluster.nodes().length > 0) await Faults.clear();
});

let links = 0;
/** A link of this test's own, created on shortener1; its code. */
async function newLink(): Promise<string> {
  const url = `https://elixiroutlaws.com/episodes/${process.pid}-${++links}`;
  const answer = await shorten(portOf(n1), url);
  if (answer.status !== 201) throw new Error(`POST / url=${url} on ${label(n1)} answered ${shown(answer)}, expected 201 (stage 4's create is given: has linkManager.ts changed?)`);
  return answer.body;
}

/** The count GET /<code>/aggregates on `node` answers. */
async function countOn(node: NodeName, code: string): Promise<number> {
  const answer = await aggregates(portOf(node), code);
  const m = /^Redirects: (\d+)$/.exec(answer.body.trim());
  if (answer.status !== 200 || !m) throw new Error(`GET /${code}/aggregates on ${label(node)} answered ${shown(answer)}, expected 200 "Redirects: N"`);
  return Number(m[1]);
}

/** GET /<code> on `node`, which must redirect, and count at once on that node: its count goes up by one or more. */
async function redirect(node: NodeName, code: string): Promise<void> {
  const before = await countOn(node, code);
  const answer = await follow(portOf(node), code);
  if (answer.status !== 302) throw new Error(`GET /${code} on ${label(node)} answered ${shown(answer)}, expected 302 (the redirect itself is given)`);
  const after = await countOn(node, code);
  if (after < before + 1) {
    throw new Error(
      `${label(node)} counted ${before} redirects of ${code} before GET /${code} and ${after} right after it: a redirect counts at once on the node that served it, ` +
        'before it answers (recordRedirect adds one to this node\'s own slot in its table, and countFor reads that table)',
    );
  }
}

type Expected = Partial<Record<NodeName, number>>;
const listed = (counts: Expected) =>
  Object.entries(counts)
    .map(([node, n]) => `${label(node)}: ${n}`)
    .join(', ');

async function countsOn(code: string, which: NodeName[]): Promise<Expected> {
  const counts: Expected = {};
  for (const node of which) counts[node] = await countOn(node, code);
  return counts;
}

/** A node that counts more than was made: a definite failure, said at once. */
function overshoot(code: string, counts: Expected, expected: Expected, when: string): string | undefined {
  const node = Object.keys(expected).find((n) => (counts[n] ?? 0) > (expected[n] ?? 0));
  if (node === undefined) return undefined;
  return (
    `${when}, ${label(node)} counts ${counts[node]} redirects of ${code}, more than the ${expected[node]} it can have heard of (${listed(counts)}): ` +
    'a merge that arrived twice, or late, was counted again. A merge must keep the highest count of each node\'s slot, so that a counter seen before changes nothing'
  );
}

/**
 * Waits until the nodes named in `expected` count what it says (5 s at most);
 * fails at once if a node counts more, and says `why` if a node stays short.
 */
async function converge(code: string, expected: Expected, when: string, why: string): Promise<void> {
  const which = Object.keys(expected);
  let last: Expected = {};
  let tooMany: string | undefined;
  try {
    await vi.waitFor(
      async () => {
        last = await countsOn(code, which);
        tooMany = overshoot(code, last, expected, when);
        if (tooMany === undefined && which.some((n) => last[n] !== expected[n])) throw new Error('not yet');
      },
      { timeout: 5_000, interval: 25 },
    );
  } catch {
    // out of time: said below
  }
  if (tooMany !== undefined) throw new Error(tooMany);
  const short = which.find((n) => last[n] !== expected[n]);
  if (short !== undefined) throw new Error(`${when}, ${label(short)} counts ${last[short]} redirects of ${code}, expected ${expected[short]} (${listed(last)}): ${why}`);
}

/**
 * Once every merge in flight has arrived (each node asks every server, which
 * answers after the messages that node sent it before), every node must still
 * count exactly `total`.
 */
async function settled(code: string, total: number, when: string, why: string): Promise<void> {
  const expected = Object.fromEntries(nodes.map((node) => [node, total]));
  for (const from of nodes) {
    const seen = await rpc.call<Expected>(from, PROBE, 'countsSeenFromHere', [code, nodes]);
    const tooMany = overshoot(code, seen, expected, `${when}, once every merge had arrived`);
    if (tooMany !== undefined) throw new Error(tooMany);
    const short = nodes.find((n) => seen[n] !== total);
    if (short !== undefined) throw new Error(`${when}, once every merge had arrived, ${label(short)} counts ${seen[short]} redirects of ${code}, expected ${total} (${listed(seen)}): ${why}`);
  }
}

const REACH = 'each redirect must reach the other nodes as a merge: recordRedirect sends the code\'s counter to every other connected node, and mergeCounter merges what arrives into the node\'s table';

describe('stage 5: redirect counts, one G-Counter per link on every node', () => {
  it('problem 2: a redirect counts at once on the node that served it, and GET /<code>/aggregates answers "Redirects: N" (JSON when asked)', async () => {
    const code = await newLink();
    expect(await countOn(n1, code), `GET /${code}/aggregates of a link nobody followed yet`).toBe(0);
    for (let i = 0; i < 3; i++) await redirect(n1, code);
    const text = await aggregates(portOf(n1), code);
    expect(text.body.trim(), `GET /${code}/aggregates on ${label(n1)} after 3 redirects there answered ${shown(text)}`).toBe('Redirects: 3');
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    const json = await aggregates(portOf(n1), code, true);
    expect(json.headers['content-type'], `GET /${code}/aggregates with Accept: application/json answered ${shown(json)}`).toMatch(/^application\/json/);
    expect(JSON.parse(json.body), `GET /${code}/aggregates with Accept: application/json`).toEqual({ code, redirects: 3 });

    const { atOnce, count } = await rpc.call<{ atOnce: boolean; count: unknown }>(n1, PROBE, 'countHere', [code]);
    if (!atOnce) throw new Error(`countFor(${code}) on ${label(n1)} answered a promise (of ${String(count)}): it must read this node's own table and answer at once, with no round trip to a server`);

    const nobody = 'AAAAAA';
    const missing = await follow(portOf(n1), nobody);
    expect(missing.status, `GET /${nobody} of a code nobody created answered ${shown(missing)}`).toBe(404);
    expect(await countOn(n1, nobody), `GET /${nobody} answered 404: a redirect that did not happen must not count`).toBe(0);
  });

  it('problem 2: each node\'s redirects reach the others as merges: 1 on shortener1, 2 on shortener2 and 1 on shortener3 make 4 on every node', async () => {
    const code = await newLink();
    await redirect(n1, code);
    await redirect(n2, code);
    await redirect(n2, code);
    await redirect(n3, code);
    await converge(code, { [n1]: 4, [n2]: 4, [n3]: 4 }, 'after 4 redirects on 3 nodes', REACH);
    await settled(code, 4, 'after 4 redirects on 3 nodes', REACH);
  });

  it('problem 2: a merge that arrives twice changes nothing (every message between the nodes delivered twice)', async () => {
    await injectFaults({ duplicate: 1 });
    const code = await newLink();
    await redirect(n1, code);
    await converge(code, { [n1]: 1, [n2]: 1, [n3]: 1 }, `after 1 redirect on ${label(n1)}, every merge delivered twice`, REACH);
    await redirect(n1, code);
    await converge(code, { [n1]: 2, [n2]: 2, [n3]: 2 }, `after 2 redirects on ${label(n1)}, every merge delivered twice`, REACH);
    await redirect(n2, code);
    await converge(code, { [n1]: 3, [n2]: 3, [n3]: 3 }, `after 2 redirects on ${label(n1)} and 1 on ${label(n2)}, every merge delivered twice`, REACH);
    await settled(code, 3, 'with every merge delivered twice', REACH);
  });

  it('problem 2: a merge that arrives late, after a newer counter, changes nothing', async () => {
    const code = await newLink();
    // Everything shortener1 sends shortener3 arrives a second late (in order): its merge of 1 overtaken by shortener2's of 2.
    await injectFaults({ delay: { rate: 1, minMs: 1_000, maxMs: 1_000 }, links: [[n1, n3]] });
    await redirect(n1, code);
    await converge(code, { [n1]: 1, [n2]: 1 }, `after 1 redirect on ${label(n1)}`, REACH);
    await redirect(n2, code);
    await converge(
      code,
      { [n1]: 2, [n2]: 2, [n3]: 2 },
      `after 1 redirect on ${label(n1)} (its merge to ${label(n3)} held back) and 1 on ${label(n2)}`,
      `${label(n2)}'s counter holds both redirects, and it must reach every node as a merge`,
    );
    await settled(
      code,
      2,
      `after ${label(n1)}'s late merge (of 1) reached ${label(n3)}, which had 2 already`,
      'a merge that arrives late carries an older counter: merging it must change nothing (keep the highest count of each slot; never replace what the node holds)',
    );
  });
});

const NODEUP = 'on nodeup, each node must send its counters to the newcomer (syncTo), so that what one side counted during the partition reaches the other';

/** Runs `body` with `side` cut off from the other nodes; heals the cut afterwards if `body` failed before it did. */
async function withPartition(side: NodeName[], body: (heal: () => Promise<void>) => Promise<void>): Promise<void> {
  await Schism.partition(side);
  let healed = false;
  try {
    await body(async () => {
      healed = true;
      await Schism.heal(side);
    });
  } finally {
    if (!healed) await Schism.heal(side);
  }
}

for (const faulty of [false, true]) {
  const how = faulty ? ', with messages duplicated and delayed' : '';
  const network = async () => {
    if (faulty) await injectFaults({ duplicate: 0.3, delay: { rate: 0.3, minMs: 5, maxMs: 60 } });
  };

  describe(`stage 5: counts converge after a partition${how}`, () => {
    it(`problem 3: the original's scenario: 1; partition; 2, 2, 1; 4, 4, 2; heal; 5, 5, 5${how}`, async () => {
      await network();
      const code = await newLink();
      await redirect(n1, code);
      await converge(code, { [n1]: 1, [n2]: 1, [n3]: 1 }, `after 1 redirect on ${label(n1)}`, REACH);
      await withPartition([n3], async (heal) => {
        await redirect(n1, code);
        await converge(code, { [n1]: 2, [n2]: 2, [n3]: 1 }, `with ${label(n3)} cut off, after 1 more redirect on ${label(n1)}`, REACH);
        await redirect(n2, code);
        await redirect(n1, code);
        await redirect(n3, code);
        await converge(code, { [n1]: 4, [n2]: 4, [n3]: 2 }, `with ${label(n3)} cut off, after redirects on ${label(n2)}, ${label(n1)} and ${label(n3)}`, REACH);
        await heal();
      });
      await converge(code, { [n1]: 5, [n2]: 5, [n3]: 5 }, 'after the heal', NODEUP);
      await settled(code, 5, 'after the heal', NODEUP);
    });

    it(`problem 3: recovering from a netsplit: 3 redirects unseen by one side, 3 by the other, 6 everywhere after the heal${how}`, async () => {
      await network();
      const code = await newLink();
      await withPartition([n3], async (heal) => {
        for (let i = 0; i < 3; i++) await redirect(n1, code);
        await converge(code, { [n1]: 3, [n2]: 3, [n3]: 0 }, `with ${label(n3)} cut off, after 3 redirects on ${label(n1)}`, REACH);
        for (let i = 0; i < 3; i++) await redirect(n3, code);
        await converge(code, { [n1]: 3, [n2]: 3, [n3]: 3 }, `with ${label(n3)} cut off, after 3 redirects on each side`, REACH);
        await heal();
      });
      await converge(code, { [n1]: 6, [n2]: 6, [n3]: 6 }, 'after the heal', NODEUP);
      await settled(code, 6, 'after the heal', NODEUP);
    });
  });
}

describe('stage 5: the HTTP API (given)', () => {
  it('answers /<code>/aggregates to GET only, and refuses web pages', async () => {
    const code = await newLink();
    const post = await request(portOf(n2), 'POST', `/${code}/aggregates`);
    expect(post.status, `POST /${code}/aggregates answered ${shown(post)}`).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const page = await request(portOf(n2), 'GET', `/${code}/aggregates`, { headers: { origin: 'https://evil.example' } });
    expect(page.status, `GET /${code}/aggregates from a web page answered ${shown(page)}`).toBe(403);
    const bad = await request(portOf(n2), 'GET', '/toolong1/aggregates');
    expect(bad.status).toBe(404);
  });
});
