// Stage 4, problem 1: the link shortener with full replication, over real HTTP
// requests to three nodes. The scenarios of the original workshop's first test
// file: a link shortens and redirects, every node sees a new link, the cache is
// read first and filled on a miss, a link created during a partition resolves on
// both sides; and two urls whose codes collide both keep their links.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Storage, rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { MAX_CANDIDATES, shortCode } from '#stage/exercise4-link-shortener/shortCode.ts';
import { linkKey } from '#stage/exercise4-link-shortener/store.ts';
import { label, stageModule, traceFailures } from '../support/stage.ts';
import { expectCreated, expectRedirect, follow, request, shorten, shown, type Answer } from './api.ts';

const APP = stageModule('exercise4-link-shortener/shortener.ts');
const PROBE = new URL('./probe.ts', import.meta.url).href;

let nodes: NodeName[] = [];
let n1: NodeName;
let n2: NodeName;
let n3: NodeName;
const ports = new Map<NodeName, number>();
const portOf = (node: NodeName) => ports.get(node) as number;

beforeAll(async () => {
  await LocalCluster.start();
  nodes = await LocalCluster.startNodes('shortener', 3, {
    boot: APP,
    storage: true,
    env: { DISTSYS_SHORTENER_PORT: '0', DISTSYS_SHORTENER_REPLICATION: 'full' },
  });
  [n1, n2, n3] = nodes as [NodeName, NodeName, NodeName];
  for (const node of nodes) ports.set(node, await rpc.call<number>(node, PROBE, 'port'));
});
beforeEach(async () => {
  await Storage.connect().flush();
  await Promise.all(nodes.map((node) => rpc.call(node, PROBE, 'flush')));
});
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

/** What every node's cache holds under `code`, as `from` sees it after everything it sent them. */
const caches = (from: NodeName, code: string) => rpc.call<Record<NodeName, string | null>>(from, PROBE, 'cachesSeenFromHere', [code, nodes]);
const listCaches = (views: Record<NodeName, string | null>) =>
  Object.entries(views)
    .map(([node, url]) => `${label(node)}: ${url ?? '(nothing)'}`)
    .join(', ');

/** Runs `body` with `side` cut off from the other nodes, and heals the cut afterwards, whatever happens. */
async function duringPartition(side: NodeName[], body: () => Promise<void>): Promise<void> {
  await Schism.partition(side);
  try {
    await body();
  } finally {
    await Schism.heal(side);
  }
}

// Two urls whose first candidate codes are the same (found by trying https://example.com/0, /1, …).
const COLLIDING = ['https://example.com/49713', 'https://example.com/205335'] as const;

describe('stage 4: the link shortener, full replication', () => {
  it('problem 1: POST / shortens a url (201, the code, Location the short link) and GET /<code> redirects to it (302)', async () => {
    const url = 'https://keathley.io/';
    const code = expectCreated(await shorten(portOf(n1), url), n1, url, shortCode(url));
    expectRedirect(await follow(portOf(n1), code), n1, code, url, 'the node that created the link must redirect to it');
    const json = 'https://elixir-lang.org/';
    const jsonCode = expectCreated(
      await request(portOf(n2), 'POST', '/', { body: JSON.stringify({ url: json }), headers: { 'content-type': 'application/json' } }),
      n2,
      json,
      shortCode(json),
    );
    expectRedirect(await follow(portOf(n1), jsonCode), n1, jsonCode, json, 'a link created on another node must redirect too');
    const unknown = await follow(portOf(n3), shortCode('https://nobody.example/'));
    expect(unknown.status, `GET of a code nobody created answered ${shown(unknown)}, expected 404`).toBe(404);
  });

  it('problem 1: a link created on one node is in every node\'s cache, the creating node\'s included', async () => {
    const url = 'https://elixiroutlaws.com/';
    const code = expectCreated(await shorten(portOf(n1), url), n1, url, shortCode(url));
    const views = await caches(n1, code);
    const missing = nodes.filter((node) => views[node] !== url);
    if (missing.length > 0) {
      const own = missing.includes(n1) ? ` ${label(n1)}, where the link was created, must cache it too (the broadcast skipped it).` : '';
      throw new Error(`after POST / on ${label(n1)}, the caches hold ${listCaches(views)}; expected the link in every node's cache: create caches it on every node.${own}`);
    }
    for (const node of [n2, n3]) expectRedirect(await follow(portOf(node), code), node, code, url, 'every node can resolve a new link');
  });

  it('problem 1: GET /<code> answers from the node\'s own cache first; a cache miss reads the store and fills the cache', async () => {
    // A link only n2's cache holds: the store has never heard of it, so only the cache can answer.
    const planted = 'https://cache.example/only-in-the-cache';
    const plantedCode = shortCode(planted);
    await rpc.call(n2, PROBE, 'cacheOnly', [plantedCode, planted]);
    expectRedirect(
      await follow(portOf(n2), plantedCode),
      n2,
      plantedCode,
      planted,
      `${label(n2)}'s cache holds ${plantedCode}, so a lookup must answer from the cache without asking the store`,
    );

    const url = 'https://elixir-lang.org/docs';
    const code = expectCreated(await shorten(portOf(n1), url), n1, url, shortCode(url));
    await rpc.call(n3, PROBE, 'flush');
    expectRedirect(await follow(portOf(n3), code), n3, code, url, `after a cache miss, ${label(n3)} must read the link from the store`);
    const after = await rpc.call<string | null>(n3, PROBE, 'cachedHere', [code]);
    expect(after, `after GET /${code} on ${label(n3)} missed its cache, the cache holds ${after ?? 'nothing'}: a lookup that reads the store must fill the cache`).toBe(url);
  });

  it('problem 1: during a partition, a link created on one side resolves on every node of both sides', async () => {
    const url = 'https://elixiroutlaws.com/partitioned';
    await duringPartition([n1], async () => {
      const code = expectCreated(await shorten(portOf(n2), url), n2, url, shortCode(url));
      expectRedirect(await follow(portOf(n3), code), n3, code, url, 'a node on the same side got the broadcast, or reads the store');
      expectRedirect(
        await follow(portOf(n1), code),
        n1,
        code,
        url,
        `${label(n1)} is cut off from ${label(n2)}, so no broadcast reached it: its cache misses, and the lookup must read the store, which both sides reach`,
      );
    });
  });

  it('problem 1: two urls whose codes collide both keep their links, a url shortened again gets its code again, and a url with no free code is refused', async () => {
    const [first, second] = COLLIDING;
    const code = shortCode(first);
    expect(shortCode(second), 'the test\'s two urls must share their first candidate code (has shortCode changed?)').toBe(code);
    expectCreated(await shorten(portOf(n1), first), n1, first, code);
    const again = await shorten(portOf(n2), second);
    if (again.status !== 201) throw new Error(`POST / url=${second} on ${label(n2)} answered ${shown(again)}, expected 201: its code ${code} is taken, so create must take the next candidate (shortCode(url, 1))`);
    if (again.body === code) {
      throw new Error(
        `${first} and ${second} both got the code ${code}: their codes collide, and the second create must not take (or overwrite) a code that holds another url; store with { nx: true } and try the next candidate`,
      );
    }
    const secondCode = again.body;
    expectRedirect(await follow(portOf(n3), code), n3, code, first, `${code} was ${first}'s first; a colliding url must not overwrite it`);
    expectRedirect(await follow(portOf(n3), secondCode), n3, secondCode, second, `the colliding url got ${secondCode}`);
    const repeat = [await shorten(portOf(n3), first), await shorten(portOf(n1), second)];
    expect(
      repeat.map((a) => a.body),
      `shortening the same urls again answered ${repeat.map(shown).join(' and ')}, expected their codes again (${code}, ${secondCode}): a url that is already stored keeps its code`,
    ).toEqual([code, secondCode]);

    // A url whose every candidate belongs to another url: create gives up, it does not loop for ever.
    const crowded = 'https://crowded.example/';
    const store = Storage.connect();
    for (let attempt = 0; attempt < MAX_CANDIDATES; attempt++) await store.set(linkKey(shortCode(crowded, attempt)), `https://other.example/${attempt}`);
    const refused = await shorten(portOf(n2), crowded);
    expect(
      refused.status,
      `POST / url=${crowded} on ${label(n2)} answered ${shown(refused)}, though each of its ${MAX_CANDIDATES} candidate codes holds another url: create must give up with { error: 'taken' } (422)`,
    ).toBe(422);
  });
});

describe('stage 4: the HTTP API (given)', () => {
  it('refuses bad input with a status and a reason, and keeps serving', async () => {
    const port = portOf(n3);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, Promise<Answer>, number, RegExp]> = [
      ['POST / with no body', request(port, 'POST', '/'), 422, /no url/],
      ['POST / with another field', request(port, 'POST', '/', { body: 'link=https://a.example/', headers: form }), 422, /no url/],
      ['POST / url=ftp://…', request(port, 'POST', '/', { body: 'url=ftp://files.example/x', headers: form }), 422, /only http and https/],
      ['POST / url=javascript:…', request(port, 'POST', '/', { body: 'url=javascript:alert(1)', headers: form }), 422, /only http and https/],
      ['POST / url=/relative', request(port, 'POST', '/', { body: 'url=/relative/path', headers: form }), 422, /not an absolute url/],
      ['POST / url=(empty)', request(port, 'POST', '/', { body: 'url=', headers: form }), 422, /empty/],
      ['POST / JSON url 5', request(port, 'POST', '/', { body: '{"url": 5}', headers: json }), 422, /must be a string/],
      ['POST / broken JSON', request(port, 'POST', '/', { body: '{"url": ', headers: json }), 400, /not valid JSON/],
      ['POST / text/plain', request(port, 'POST', '/', { body: 'https://a.example/', headers: { 'content-type': 'text/plain' } }), 415, /form .*or JSON/],
      ['POST / 9,000 bytes', request(port, 'POST', '/', { body: `url=https://a.example/${'x'.repeat(9_000)}`, headers: form }), 413, /more than the limit of 8192/],
      ['POST / 16 KiB chunked', request(port, 'POST', '/', { body: `url=https://a.example/${'x'.repeat(16_384)}`, headers: form, chunked: true }), 413, /more than the limit/],
      ['PUT /', request(port, 'PUT', '/'), 405, /POST \/ shortens/],
      ['DELETE /<code>', request(port, 'DELETE', '/abcdef'), 405, /GET \/abcdef follows/],
      ['GET /a/b', request(port, 'GET', '/a/b'), 404, /nothing at \/a\/b/],
      ['a web page', request(port, 'POST', '/', { body: 'url=https://a.example/', headers: { ...form, origin: 'https://evil.example' } }), 403, /web page/],
    ];
    for (const [what, pending, status, reason] of cases) {
      const answer = await pending;
      expect(answer.status, `${what}: answered ${shown(answer)}`).toBe(status);
      expect(answer.body, `${what}: the answer must say why`).toMatch(reason);
    }
    expect((await request(port, 'PUT', '/')).headers.allow).toBe('GET, HEAD, POST');
    expect((await request(port, 'DELETE', '/abcdef')).headers.allow).toBe('GET, HEAD');
    const home = await request(port, 'GET', '/');
    expect(home.status, `after the bad requests, GET / answered ${shown(home)}`).toBe(200);
    expect(home.headers['x-distsys-node']).toBe(n3);
  });
});
