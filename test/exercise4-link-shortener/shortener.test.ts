// Stage 4: the link shortener, over real HTTP requests to three nodes. It
// replays both of the original workshop's test files, one design each:
//  problem 1, full replication: a link shortens and redirects, every node sees a
//    new link, the cache is read first and filled on a miss, a link created
//    during a partition resolves on both sides, colliding codes both keep their links;
//  problem 2, consistent hashing: the ring comes from the stored membership (and is
//    a ring: a newcomer takes about a quarter of the codes, all from the others),
//    a create is routed to the link's owner, a remote lookup runs on the owner and
//    fills its cache, a create or remote lookup whose owner is cut off fails with
//    nodedown, and over HTTP a lookup falls back to the store.
// One cluster serves both problems: each switches the nodes to its design first.
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

type Owners = { owners: NodeName[] } | { error: string };
type Found = { ok: string } | { error: string };

beforeAll(async () => {
  await LocalCluster.start();
  nodes = await LocalCluster.startNodes('shortener', 3, { boot: APP, storage: true, env: { DISTSYS_SHORTENER_PORT: '0' } });
  [n1, n2, n3] = nodes as [NodeName, NodeName, NodeName];
  for (const node of nodes) ports.set(node, await rpc.call<number>(node, PROBE, 'port'));
});
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

/** Every node runs `design`, with an empty cache, over an empty store (and in ring mode, the membership and every ring built from it). */
async function startOver(design: 'full' | 'ring'): Promise<void> {
  await Storage.connect().flush();
  if (design === 'ring') await rpc.call(n1, PROBE, 'setMembers', [nodes]);
  await Promise.all(
    nodes.map(async (node) => {
      await rpc.call(node, PROBE, 'replicate', [design]);
      if (design === 'ring') await rpc.call(node, PROBE, 'rebuildRing');
      await rpc.call(node, PROBE, 'flush');
    }),
  );
}

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
  beforeEach(() => startOver('full'));

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

// Problem 2's helpers: owners on each node's ring, and who caches what.
const CODES = Array.from({ length: 3_000 }, (_, i) => shortCode(`https://example.com/articles/${i}`));
const percent = (n: number, of: number) => `${Math.round((100 * n) / of)}%`;

/** The owners of `codes` on `node`'s ring; fails with findNode's own error if it threw. */
async function ownersOn(node: NodeName, codes: string[], members: NodeName[] = nodes): Promise<NodeName[]> {
  const answer = await rpc.call<Owners>(node, PROBE, 'owners', [codes]);
  if ('error' in answer) throw new Error(`findNode on ${label(node)} threw: ${answer.error}`);
  expectMembers(node, codes, answer.owners, members);
  return answer.owners;
}

function expectMembers(node: NodeName, codes: string[], owners: NodeName[], members: NodeName[]): void {
  const stranger = owners.findIndex((owner) => !members.includes(owner));
  if (stranger >= 0) {
    throw new Error(
      `findNode on ${label(node)} named ${JSON.stringify(owners[stranger])} as the owner of ${codes[stranger]}, which is not in the membership [${members.map(label).join(', ')}]: the ring must be built from the membership in the store (and findNode must ask the ring)`,
    );
  }
}

/** Fails if two nodes disagree on any owner. */
function expectAgreement(answers: Map<NodeName, NodeName[]>, codes: string[], when: string): void {
  const [first, ...rest] = [...answers];
  if (!first) return;
  for (const [node, owners] of rest) {
    const differ = codes.filter((_, i) => owners[i] !== first[1][i]);
    if (differ.length === 0) continue;
    const i = codes.indexOf(differ[0] as string);
    throw new Error(
      `${when}, ${label(first[0])} and ${label(node)} disagree on the owner of ${differ.length} of ${codes.length} codes (${codes[i]}: ${label(first[0])} says ${label(first[1][i] as string)}, ${label(node)} says ${label(owners[i] as string)}): every node must build its ring from the same membership, the one in the store, not from whom it is connected to (Node.list())`,
    );
  }
}

/** A url whose owner (on the nodes' rings) is not `node`, and that owner. */
async function urlOwnedByAnother(node: NodeName, path: string): Promise<{ url: string; code: string; owner: NodeName }> {
  const urls = Array.from({ length: 20 }, (_, i) => `https://elixiroutlaws.com/${path}/${i}`);
  const codes = urls.map((url) => shortCode(url));
  const owners = await ownersOn(node, codes);
  const i = owners.findIndex((owner) => owner !== node);
  if (i < 0) throw new Error(`findNode on ${label(node)} says it owns all of 20 codes: is it using the ring?`);
  return { url: urls[i] as string, code: codes[i] as string, owner: owners[i] as NodeName };
}

function expectOnlyOwnerCaches(views: Record<NodeName, string | null>, owner: NodeName, url: string, after: string, why: string): void {
  const wrong = nodes.filter((node) => (node === owner ? views[node] !== url : views[node] !== null));
  if (wrong.length === 0) return;
  throw new Error(`${after}, the caches hold ${listCaches(views)}; expected the link in ${label(owner)}'s cache only (its owner): ${why}`);
}

describe('stage 4: the link shortener, consistent hashing', () => {
  beforeEach(() => startOver('ring'));

  it('problem 2: findNode gives each code the same owner on every node, always a member, and spreads 3,000 codes evenly', async () => {
    const answers = new Map<NodeName, NodeName[]>();
    for (const node of nodes) answers.set(node, await ownersOn(node, CODES));
    expectAgreement(answers, CODES, 'with every node connected');
    const owners = answers.get(n1) as NodeName[];
    for (const node of nodes) {
      const share = owners.filter((owner) => owner === node).length / CODES.length;
      if (share < 0.2 || share > 0.47) {
        throw new Error(`${label(node)} owns ${percent(share * CODES.length, CODES.length)} of ${CODES.length} codes, expected about a third: findNode must ask the ring, which spreads codes evenly`);
      }
    }
  });

  it('problem 2: when a fourth node joins the membership, about a quarter of the codes move, all of them to the newcomer (not hash mod N)', async () => {
    const newcomer = `shortener4@${n1.split('@')[1]}`;
    const before = await ownersOn(n1, CODES);
    let after: NodeName[];
    try {
      const answer = await rpc.call<Owners>(n1, PROBE, 'ownersUnder', [[...nodes, newcomer], CODES]);
      if ('error' in answer) throw new Error(`findNode on ${label(n1)} threw: ${answer.error}`);
      after = answer.owners;
    } finally {
      await rpc.call(n1, PROBE, 'ownersUnder', [nodes, []]); // the membership and n1's ring as they were
    }
    expectMembers(n1, CODES, after, [...nodes, newcomer]);
    const moved = CODES.filter((_, i) => after[i] !== before[i]).length;
    const betweenOld = CODES.filter((_, i) => after[i] !== before[i] && after[i] !== newcomer).length;
    if (betweenOld > 0 || moved > 0.4 * CODES.length) {
      throw new Error(
        `when ${label(newcomer)} joined the membership, ${moved} of ${CODES.length} codes (${percent(moved, CODES.length)}) changed owner, ${betweenOld} of them between the nodes already there: on a ring only about a quarter move, all to the newcomer (hash mod N moves about three quarters); findNode must ask the ring`,
      );
    }
    const taken = after.filter((owner) => owner === newcomer).length;
    if (taken < 0.1 * CODES.length) {
      throw new Error(`${label(newcomer)} joined the membership but owns ${taken} of ${CODES.length} codes after updateRing: updateRing must rebuild the ring from the membership now in the store`);
    }
  });

  it('problem 2: the ring comes from the stored membership, so nodes that rebuild it during a partition still agree on every owner', async () => {
    const codes = CODES.slice(0, 500);
    await duringPartition([n3], async () => {
      await Promise.all(nodes.map((node) => rpc.call(node, PROBE, 'rebuildRing')));
      const answers = new Map<NodeName, NodeName[]>();
      for (const node of nodes) answers.set(node, await ownersOn(node, codes));
      expectAgreement(answers, codes, `after ${label(n3)} was cut off and each node rebuilt its ring`);
    });
  });

  it('problem 2: a create is routed to the link\'s owner: only the owner\'s cache holds the link', async () => {
    const { url, code, owner } = await urlOwnedByAnother(n1, 'routed');
    expectCreated(await shorten(portOf(n1), url), n1, url, code);
    expectOnlyOwnerCaches(await caches(n1, code), owner, url, `after POST / on ${label(n1)}`, 'create caches the link on its owner and nowhere else');
  });

  it('problem 2: a remote lookup runs on the owner and fills the owner\'s cache, not the caller\'s; GET /<code> redirects on every node', async () => {
    const { url, code, owner } = await urlOwnedByAnother(n1, 'looked-up');
    expectCreated(await shorten(portOf(owner), url), owner, url, code);
    await rpc.call(owner, PROBE, 'flush');
    const found = await rpc.call<Found>(n1, PROBE, 'remoteLookupHere', [code]);
    expect(found, `remoteLookup(${code}) on ${label(n1)} answered ${JSON.stringify(found)}`).toEqual({ ok: url });
    expectOnlyOwnerCaches(
      await caches(n1, code),
      owner,
      url,
      `after remoteLookup on ${label(n1)} (with ${label(owner)}'s cache empty)`,
      `the lookup must run on the owner, filling the owner's cache, and leave the caller's (${label(n1)}'s) alone`,
    );
    for (const node of nodes) expectRedirect(await follow(portOf(node), code), node, code, url, 'GET /<code> looks the link up on its owner');
    expectOnlyOwnerCaches(await caches(n1, code), owner, url, 'after GET /<code> on every node', 'a lookup fills the owner\'s cache only');
  });

  it('problem 2: during a partition, a create or remote lookup whose owner is cut off fails with nodedown; both work again after the heal', async () => {
    const { url, code, owner } = await urlOwnedByAnother(n1, 'split');
    const others = nodes.filter((node) => node !== owner);
    await duringPartition([owner], async () => {
      for (const node of others) {
        const created = await rpc.call<Found>(node, PROBE, 'createHere', [url]);
        expect(created, `createOnOwner(${url}) on ${label(node)}, cut off from its owner ${label(owner)}, answered ${JSON.stringify(created)}`).toEqual({ error: 'nodedown' });
      }
      const overHttp = await shorten(portOf(others[0] as NodeName), url);
      expect(overHttp.status, `POST / on ${label(others[0] as NodeName)}, cut off from the owner ${label(owner)}, answered ${shown(overHttp)}`).toBe(503);
      const onOwner = await rpc.call<Found>(owner, PROBE, 'createHere', [url]);
      expect(onOwner, `createOnOwner(${url}) on the owner ${label(owner)} itself, during the partition, answered ${JSON.stringify(onOwner)}`).toEqual({ ok: code });
      for (const node of others) {
        const found = await rpc.call<Found>(node, PROBE, 'remoteLookupHere', [code]);
        expect(found, `remoteLookup(${code}) on ${label(node)}, cut off from the owner ${label(owner)}, answered ${JSON.stringify(found)}`).toEqual({ error: 'nodedown' });
      }
    });
    for (const node of others) {
      const found = await rpc.call<Found>(node, PROBE, 'remoteLookupHere', [code]);
      expect(found, `after the heal, remoteLookup(${code}) on ${label(node)} answered ${JSON.stringify(found)}`).toEqual({ ok: url });
    }
  });

  it('problem 2: over HTTP, a lookup whose owner cannot be reached falls back to the store (302)', async () => {
    const { url, code, owner } = await urlOwnedByAnother(n1, 'fallback');
    expectCreated(await shorten(portOf(n1), url), n1, url, code);
    const others = nodes.filter((node) => node !== owner);
    await duringPartition(others, async () => {
      for (const node of others) {
        expectRedirect(
          await follow(portOf(node), code),
          node,
          code,
          url,
          `${label(node)} cannot reach the owner ${label(owner)}, so GET must fall back to the store (remoteLookup answers nodedown)`,
        );
      }
    });
  });
});

describe('stage 4: the HTTP API (given)', () => {
  beforeEach(() => startOver('full'));

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
