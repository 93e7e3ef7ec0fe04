// Stage 4: the link shortener, over real HTTP requests to three nodes. It
// replays both of the original workshop's test files, one design each, and the
// cases a real cluster adds to them:
//  problem 1, full replication: a link shortens and redirects, every node sees a
//    new link, the cache is read first and filled on a miss, a link created
//    during a partition resolves on both sides, colliding codes both keep their
//    links (also when two nodes create them at the same moment, and the same url
//    created on two nodes at once gets one code), a lookup that missed before the
//    link existed does not keep missing once it does, and while the store cannot be
//    reached a node answers from its cache, and 503 (not 404) for the rest;
//  problem 2, consistent hashing: the ring comes from the stored membership (and is
//    a ring: a newcomer takes about a quarter of the codes, all from the others), a
//    node that is up but not a member owns nothing, a create is routed to the link's
//    owner (also one the caller is not connected to yet), a remote lookup runs on the
//    owner and fills its cache, a create or remote
//    lookup whose owner is cut off fails with nodedown, over HTTP a lookup falls back
//    to the store (also for a link created after it missed), and an owner that is
//    slow, not cut off, makes no request wait longer than OWNER_TIMEOUT_MS.
// One cluster serves both problems: each switches the nodes to its design first.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Storage, rpc, type NodeName } from '../../lib/index.ts';
import { Faults, LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { MAX_CANDIDATES, shortCode } from '#stage/exercise4-link-shortener/shortCode.ts';
import { linkKey } from '#stage/exercise4-link-shortener/store.ts';
import { label, stageModule, traceFailures } from '../support/stage.ts';
import { injectFaults } from '../support/faults.ts';
import { expectCreated, expectRedirect, follow, request, shorten, shown, type Answer } from './api.ts';
import { agreedOwners, expectMembers, ownersOn, urlOwnedBy } from './routing.ts';
import { startStoreGate, type Asked, type StoreGate } from './storeGate.ts';
import { expectCreatedEverywhere, sameCodeFor, showAsked, stored } from './storeVerdicts.ts';

const APP = stageModule('exercise4-link-shortener/shortener.ts');
const PROBE = new URL('./probe.ts', import.meta.url).href;

let nodes: NodeName[] = [];
let n1: NodeName;
let n2: NodeName;
let n3: NodeName;
const ports = new Map<NodeName, number>();
const portOf = (node: NodeName) => ports.get(node) as number;
let gate: StoreGate | undefined;

type Found = { ok: string } | { error: string };

beforeAll(async () => {
  await LocalCluster.start();
  // The nodes reach the store through a door of the test's (storeGate.ts), which can make two creates meet there.
  gate = await startStoreGate(await LocalCluster.storage());
  const env: Record<string, string> = { DISTSYS_SHORTENER_PORT: '0', ...(gate ? { DISTSYS_STORAGE_URL: gate.url } : {}) };
  nodes = await LocalCluster.startNodes('shortener', 3, { boot: APP, storage: true, env });
  [n1, n2, n3] = nodes as [NodeName, NodeName, NodeName];
  for (const node of nodes) ports.set(node, await rpc.call<number>(node, PROBE, 'port'));
});
// Registered before traceFailures, so that it runs after the nodes have stopped.
afterAll(() => gate?.close());
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
const cachedOn = (node: NodeName, code: string) => rpc.call<string | null>(node, PROBE, 'cachedHere', [code]);
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

/**
 * POSTs each url to its node at the same moment, with the store's door holding the first
 * command on the slot of `code` until the other node's arrives: the two creates meet at the
 * store, as they do under load in a real cluster. Answers in the order given, and what the
 * store was asked about that slot.
 */
async function atTheSameMoment(code: string, creates: Array<[NodeName, string]>): Promise<{ answers: Answer[]; asked: Asked[] }> {
  gate?.meet(linkKey(code));
  try {
    const answers = await Promise.all(creates.map(([node, url]) => shorten(portOf(node), url)));
    return { answers, asked: gate?.done().asked ?? [] };
  } finally {
    gate?.done();
  }
}
/** Runs `body` while the nodes cannot reach the store (the door fails every command), and brings the store back whatever happens. False, without running it, when there is no door (a Redis). */
async function whileStoreAway(body: () => Promise<void>): Promise<boolean> {
  if (!gate) return false;
  gate.away(true);
  try {
    await body();
  } finally {
    gate.away(false);
  }
  return true;
}

// Two urls whose first candidate codes are the same (found by trying https://example.com/0, /1, …).
const COLLIDING = ['https://example.com/49713', 'https://example.com/205335'] as const;

describe('stage 4: the link shortener, full replication', () => {
  beforeEach(() => startOver('full'));
  it('problem 1: POST / shortens a url (201, the code, Location the short link) and GET /<code> redirects to it (302)', async () => {
    const url = 'https://keathley.io/';
    const code = expectCreatedEverywhere(await shorten(portOf(n1), url), n1, url, shortCode(url));
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
    if (again.body === code) throw new Error(await sameCodeFor(first, second, code, n2));
    const secondCode = again.body;
    // Every cache, as n2 sees it after everything it sent: under `code`, only the first url, or nothing.
    const views = await caches(n2, code);
    if (nodes.some((node) => views[node] !== null && views[node] !== first)) {
      throw new Error(
        `after POST / url=${second} on ${label(n2)} answered ${secondCode}, the caches hold under ${code} (${first}'s code): ${listCaches(views)}. create put ${second} in the caches under a code storeLink did not give it (its first candidate, which ${first} holds), and caches are read before the store: cache the code storeLink answered, once it has answered`,
      );
    }
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

  it('problem 1: the same url, created on two nodes at the same moment, gets one code', async () => {
    const url = 'https://elixirforum.com/at-the-same-moment';
    const code = shortCode(url);
    const { answers, asked } = await atTheSameMoment(code, [
      [n1, url],
      [n2, url],
    ]);
    const [a1, a2] = answers as [Answer, Answer];
    if (a1.status === 201 && a2.status === 201 && a1.body !== a2.body) {
      throw new Error(
        `${url}, shortened on ${label(n1)} and on ${label(n2)} at the same moment, got two codes (${a1.body} on ${label(n1)}, ${a2.body} on ${label(n2)}): one url, two links. The store saw, on ${code}: ${showAsked(asked)}. The node whose claim on ${code} lost found the slot taken, but by this very url: the code is its too; storeLink must read what a slot it could not claim holds, after the claim, and move on only if it is another url`,
      );
    }
    expectCreated(a1, n1, url, code);
    expectCreated(a2, n2, url, code);
    expectRedirect(await follow(portOf(n3), code), n3, code, url, 'the url created on two nodes at once is stored once');
  });

  it('problem 1: two urls whose codes collide, created on two nodes at the same moment, both keep their links', async () => {
    const [first, second] = COLLIDING;
    const code = shortCode(first);
    const { answers, asked } = await atTheSameMoment(code, [
      [n1, first],
      [n2, second],
    ]);
    const [a1, a2] = answers as [Answer, Answer];
    const created: Array<[NodeName, string, Answer]> = [
      [n1, first, a1],
      [n2, second, a2],
    ];
    for (const [node, url, answer] of created) {
      if (answer.status !== 201) throw new Error(`POST / url=${url} on ${label(node)}, at the same moment as a colliding url on the other node, answered ${shown(answer)}, expected 201: one of the two takes ${code}, the other the next candidate`);
    }
    if (a1.body === a2.body) {
      const holds = await stored(code);
      const misled = created.filter(([, url]) => url !== holds).map(([node, url]) => `${url} (on ${label(node)})`);
      const overwrote = asked.some((a) => a.command === 'set' && !a.nx);
      throw new Error(
        `${first} on ${label(n1)} and ${second} on ${label(n2)}, whose codes collide, were shortened at the same moment and both got ${code}, which holds ${holds ?? 'nothing'}: the code answered for ${misled.join(' and ') || 'one of them'} leads to another url${overwrote ? ', and a set without { nx: true } overwrote the link that was there first' : ''}. The store saw, on ${code}: ${showAsked(asked)}. storeLink checked that the slot was free, then took it in a second step, and the other node took it in between: "is it free?" and "take it" must be one step (a set with { nx: true }), and its answer decides`,
      );
    }
    for (const [node, url, answer] of created) {
      const holds = await stored(answer.body);
      if (holds !== url) throw new Error(`POST / url=${url} on ${label(node)} answered ${answer.body}, which holds ${holds ?? 'nothing'} in the store: storeLink must answer the code whose slot holds this url`);
      expectRedirect(await follow(portOf(n3), answer.body), n3, answer.body, url, `both colliding urls keep their links`);
    }
  });

  it('problem 1: a code looked up before it exists, on a node cut off from the node that creates it, resolves there once created, during the partition and after the heal (a miss is not remembered)', async () => {
    const url = 'https://elixiroutlaws.com/not-yet';
    const code = shortCode(url);
    const why = (when: string) =>
      `${when}, though the link is in the store: ${label(n1)} looked ${code} up before anyone created it, missed, and kept that miss as an answer. A miss only means "not yet": the link can be created at any moment on the other side of a partition, where no broadcast reaches ${label(n1)}; a lookup that misses its cache must read the store every time, and cache only what it found`;
    await duringPartition([n1], async () => {
      const before = await follow(portOf(n1), code);
      expect(before.status, `GET /${code} on ${label(n1)}, before anyone created it, answered ${shown(before)}, expected 404`).toBe(404);
      expectCreated(await shorten(portOf(n2), url), n2, url, code);
      expectRedirect(await follow(portOf(n1), code), n1, code, url, why(`the link was created on ${label(n2)}, across the partition`));
    });
    expectRedirect(await follow(portOf(n1), code), n1, code, url, why('after the heal'));
  });

  it('problem 1: while the store cannot be reached, a node answers what its cache holds, and 503 (not 404) for what it does not', async () => {
    const url = 'https://elixirforum.com/while-the-store-is-away';
    const code = expectCreatedEverywhere(await shorten(portOf(n1), url), n1, url, shortCode(url));
    await caches(n1, code); // the broadcast has arrived everywhere
    await rpc.call(n3, PROBE, 'flush');
    const nobody = shortCode('https://nobody.example/while-the-store-is-away');
    await whileStoreAway(async () => {
      expectRedirect(await follow(portOf(n2), code), n2, code, url, `${label(n2)}'s cache holds the link, so it answers without the store`);
      for (const [asked, what] of [
        [code, `a link that ${label(n3)}'s cache does not hold`],
        [nobody, 'a code nobody created'],
      ] as const) {
        const answer = await follow(portOf(n3), asked);
        if (answer.status !== 503) {
          throw new Error(
            `GET /${asked} (${what}) on ${label(n3)}, while the store could not be reached, answered ${shown(answer)}, expected 503: only the store can say whether a link exists, and it could not be asked. lookup must let the store's error through (the API answers 503, "try again"), not turn it into notFound, a definite "no such link" that clients and proxies keep`,
          );
        }
      }
    });
    expectRedirect(await follow(portOf(n3), code), n3, code, url, 'the store is back');
  });
});

// Problem 2's helpers: owners on each node's ring, and who caches what.
const CODES = Array.from({ length: 3_000 }, (_, i) => shortCode(`https://example.com/articles/${i}`));
const percent = (n: number, of: number) => `${Math.round((100 * n) / of)}%`;

/** Fails unless only `owner`'s cache holds the link; `blame` says which function put it where, or failed to. */
function expectOnlyOwnerCaches(views: Record<NodeName, string | null>, owner: NodeName, url: string, after: string, blame: (where: { extra: NodeName[]; ownerHas: boolean }) => string): void {
  const extra = nodes.filter((node) => node !== owner && views[node] !== null);
  const ownerHas = views[owner] === url;
  if (ownerHas && extra.length === 0) return;
  throw new Error(`${after}, the caches hold ${listCaches(views)}; expected the link in ${label(owner)}'s cache only (its owner, as findNode says on every node): ${blame({ extra, ownerHas })}`);
}

/** Which part of createOnOwner on `caller` went wrong, from where the link ended up. */
const routedCreate =
  (caller: NodeName, nowhereElse = 'it caches the link on its owner and nowhere else') =>
  ({ extra, ownerHas }: { extra: NodeName[]; ownerHas: boolean }): string =>
    ownerHas
      ? `createOnOwner on ${label(caller)} also put it in ${extra.map(label).join(' and ')}'s cache: ${nowhereElse}`
      : extra.length
        ? `createOnOwner on ${label(caller)} put it in ${extra.map(label).join(' and ')}'s cache, not its owner's: it must send the link to findNode(code), the owner of the code it stored`
        : `createOnOwner on ${label(caller)} cached it nowhere: it must put the link in its owner's cache (a call, so that the owner confirms)`;

describe('stage 4: the link shortener, consistent hashing', () => {
  beforeEach(() => startOver('ring'));

  it('problem 2: findNode gives each code the same owner on every node, always a member, and spreads 3,000 codes evenly', async () => {
    const owners = await agreedOwners(nodes, CODES, nodes, 'with every node connected');
    for (const node of nodes) {
      const share = owners.filter((owner) => owner === node).length / CODES.length;
      if (share < 0.2 || share > 0.47) {
        throw new Error(`${label(node)} owns ${percent(share * CODES.length, CODES.length)} of ${CODES.length} codes, expected about a third: findNode must ask the ring, which spreads codes evenly`);
      }
    }
  });

  it('problem 2: when a fourth node joins the membership, about a quarter of the codes move, all of them to the newcomer (not hash mod N)', async () => {
    const newcomer = `shortener4@${n1.split('@')[1]}`;
    const before = await ownersOn(n1, CODES, nodes);
    let after: NodeName[];
    try {
      const answer = await rpc.call<{ owners: NodeName[] } | { error: string }>(n1, PROBE, 'ownersUnder', [[...nodes, newcomer], CODES]);
      if ('error' in answer) throw new Error(`findNode on ${label(n1)} threw: ${answer.error}`);
      after = answer.owners;
    } finally {
      await rpc.call(n1, PROBE, 'ownersUnder', [nodes, []]); // the membership and n1's ring as they were
    }
    expectMembers(n1, CODES, after, [...nodes, newcomer]);
    const moved = CODES.filter((_, i) => after[i] !== before[i]).length;
    const taken = after.filter((owner) => owner === newcomer).length;
    if (moved === 0 && taken === 0) {
      throw new Error(
        `${label(newcomer)} joined the membership, yet after updateRing on ${label(n1)} no code changed owner: updateRing must build the ring from the membership as the store holds it now, each time it is called, and all of it (a member that is down or cut off still owns its codes: their lookups fall back to the store)`,
      );
    }
    const betweenOld = CODES.filter((_, i) => after[i] !== before[i] && after[i] !== newcomer).length;
    if (betweenOld > 0 || moved > 0.4 * CODES.length) {
      throw new Error(
        `when ${label(newcomer)} joined the membership, ${moved} of ${CODES.length} codes (${percent(moved, CODES.length)}) changed owner, ${betweenOld} of them between the nodes already there: on a ring only about a quarter move, all to the newcomer (hash mod N moves about three quarters); findNode must ask the ring`,
      );
    }
    if (taken < 0.1 * CODES.length) {
      throw new Error(`${label(newcomer)} joined the membership but owns ${taken} of ${CODES.length} codes after updateRing: updateRing must rebuild the ring from the membership now in the store`);
    }
  });

  it('problem 2: the ring comes from the stored membership, so nodes that rebuild it during a partition still agree on every owner', async () => {
    const codes = CODES.slice(0, 500);
    await duringPartition([n3], async () => {
      await Promise.all(nodes.map((node) => rpc.call(node, PROBE, 'rebuildRing')));
      await agreedOwners(nodes, codes, nodes, `after ${label(n3)} was cut off and each node rebuilt its ring`);
    });
  });

  it('problem 2: a create is routed to the link\'s owner: only the owner\'s cache holds the link', async () => {
    const { url, code } = await urlOwnedBy(n2, 'routed', nodes);
    expectCreated(await shorten(portOf(n1), url), n1, url, code);
    expectOnlyOwnerCaches(await caches(n1, code), n2, url, `after POST / on ${label(n1)}`, routedCreate(n1));
  });

  it('problem 2: an owner that is up but not connected to the caller (as after a restart) is reached all the same: a create connects to it', async () => {
    const { url, code } = await urlOwnedBy(n2, 'unconnected', nodes);
    try {
      await rpc.call(n1, PROBE, 'disconnectFrom', [n2]);
      const answer = await shorten(portOf(n1), url);
      if (answer.status === 503) {
        throw new Error(
          `POST / url=${url} on ${label(n1)} answered ${shown(answer)}, though the owner ${label(n2)} is up and reachable: ${label(n1)} was only not connected to it, as after a restart of either. A node connects on first contact, so createOnOwner must try the owner (for at most OWNER_TIMEOUT_MS) and answer nodedown only when that fails, not judge the owner by Node.list()`,
        );
      }
      expectCreated(answer, n1, url, code);
    } finally {
      await rpc.call(n1, PROBE, 'connectTo', [n2]);
    }
    expectOnlyOwnerCaches(await caches(n1, code), n2, url, `after POST / on ${label(n1)}`, routedCreate(n1));
  });

  it('problem 2: a remote lookup runs on the owner and fills the owner\'s cache, not the caller\'s; GET /<code> redirects on every node', async () => {
    // The link goes straight into the store, so that only remoteLookup decides which cache fills.
    const { url, code } = await urlOwnedBy(n2, 'looked-up', nodes);
    await Storage.connect().set(linkKey(code), url);
    const found = await rpc.call<Found>(n1, PROBE, 'remoteLookupHere', [code]);
    expect(
      found,
      `remoteLookup(${code}) on ${label(n1)} answered ${JSON.stringify(found)}, though the link is in the store: it must run problem 1's lookup on the owner ${label(n2)}, whose cache is empty, so the owner reads the store (and fills its cache)`,
    ).toEqual({ ok: url });
    expectOnlyOwnerCaches(await caches(n1, code), n2, url, `after remoteLookup on ${label(n1)} (with every cache empty)`, ({ extra, ownerHas }) =>
      extra.includes(n1)
        ? `the lookup must run on the owner, filling the owner's cache, and leave the caller's (${label(n1)}'s) alone: remoteLookup must not cache what it got`
        : extra.length
          ? `remoteLookup ran the lookup on ${extra.map(label).join(' and ')}, not on the owner of the code: it must run it on findNode(code)`
          : ownerHas
            ? 'remoteLookup cached it elsewhere'
            : `the owner's cache is still empty: remoteLookup must run problem 1's lookup on the owner, which fills the owner's cache from the store on a miss`,
    );
    for (const node of nodes) expectRedirect(await follow(portOf(node), code), node, code, url, 'GET /<code> looks the link up on its owner');
    expectOnlyOwnerCaches(await caches(n1, code), n2, url, 'after GET /<code> on every node', () => 'resolve runs the lookup on the owner only, and a lookup fills the owner\'s cache only');
  });

  it('problem 2: a node that is up but not in the membership owns no code, and routes every create and lookup to the owners', async () => {
    const members = [n1, n2];
    await rpc.call(n1, PROBE, 'setMembers', [members]);
    await Promise.all(nodes.map((node) => rpc.call(node, PROBE, 'rebuildRing')));
    await agreedOwners(nodes, CODES.slice(0, 500), members, `with ${label(n3)} up but not in the membership [${members.map(label).join(', ')}]`);
    const { url, code } = await urlOwnedBy(n2, 'outsider', nodes, members);
    expectCreated(await shorten(portOf(n3), url), n3, url, code);
    expectOnlyOwnerCaches(await caches(n3, code), n2, url, `after POST / on ${label(n3)}, which is not a member`, routedCreate(n3, `${label(n3)} owns nothing, so createOnOwner on it sends the link to the owner's cache, and keeps none itself`));
    await rpc.call(n2, PROBE, 'flush');
    expectRedirect(await follow(portOf(n3), code), n3, code, url, `${label(n3)} is not a member: GET must run the lookup on the owner ${label(n2)}, whose cache was emptied, so that the owner reads the store`);
    expectOnlyOwnerCaches(await caches(n3, code), n2, url, `after GET /${code} on ${label(n3)} (with ${label(n2)}'s cache emptied)`, () => `a lookup on a node outside the membership runs on the owner, and fills the owner's cache only`);
  });

  it('problem 2: during a partition, a create or remote lookup whose owner is cut off fails with nodedown; both work again after the heal', async () => {
    const owner = n2;
    const { url, code } = await urlOwnedBy(owner, 'split', nodes);
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
    const owner = n2;
    const { url, code } = await urlOwnedBy(owner, 'fallback', nodes);
    await Storage.connect().set(linkKey(code), url);
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

  it('problem 2: a code looked up before it exists, on a node cut off from its owner, resolves there once created, during the partition and after the heal', async () => {
    const owner = n2;
    const { url, code } = await urlOwnedBy(owner, 'not-yet', nodes);
    const why = (when: string) =>
      `${when}, though the link is in the store: ${label(n1)} looked ${code} up before it existed, found nothing, and kept that miss as an answer. A miss only means "not yet": the owner can create the link at any moment, and while ${label(n1)} cannot reach the owner, resolve must read the store on every lookup`;
    await duringPartition([owner], async () => {
      const before = await follow(portOf(n1), code);
      expect(before.status, `GET /${code} on ${label(n1)}, cut off from the owner ${label(owner)}, before anyone created the link, answered ${shown(before)}, expected 404 (the store has nothing yet)`).toBe(404);
      expectCreated(await shorten(portOf(owner), url), owner, url, code);
      expectRedirect(await follow(portOf(n1), code), n1, code, url, why(`once the owner ${label(owner)} had created the link, across the partition`));
    });
    for (const node of [n1, n3]) expectRedirect(await follow(portOf(node), code), node, code, url, why('after the heal'));
  });

  it('problem 2: an owner that is slow (its messages delayed by seconds, still connected) makes no request wait for it: after OWNER_TIMEOUT_MS, GET falls back to the store and POST answers 503', async () => {
    const [caller, owner] = [n1, n2];
    const patience = await rpc.call<number>(caller, PROBE, 'ownerTimeout');
    // Every message from the caller to the owner arrives this late: longer than the caller's patience, by a margin a busy machine does not eat.
    const slowMs = patience + 2_000;
    const link = await urlOwnedBy(owner, 'slow-lookup', nodes);
    const fresh = await urlOwnedBy(owner, 'slow-create', nodes);
    await Storage.connect().set(linkKey(link.code), link.url);
    // Each answer, and whether the owner had already received the request when it came.
    const answered = async (request: Promise<Answer>, code: string) => {
      const answer = await request;
      return { answer, ownerHad: await cachedOn(owner, code) };
    };
    let got: Awaited<ReturnType<typeof answered>>;
    let created: Awaited<ReturnType<typeof answered>>;
    await injectFaults({ delay: { rate: 1, minMs: slowMs, maxMs: slowMs }, links: [[caller, owner]] });
    try {
      [got, created] = await Promise.all([answered(follow(portOf(caller), link.code), link.code), answered(shorten(portOf(caller), fresh.url), fresh.code)]);
    } finally {
      await Faults.clear();
      // The messages held back still arrive, in order; a call from the caller to the owner comes after them, so the next test starts on a quiet link.
      await caches(caller, fresh.code);
    }
    const slow = `every message from ${label(caller)} to ${label(owner)} took ${slowMs / 1000} s to arrive, though the two stayed connected (no nodedown comes for a slow node)`;
    if (got.ownerHad !== null) {
      throw new Error(
        `GET /${link.code} on ${label(caller)} answered ${shown(got.answer)} only after the owner ${label(owner)} had run the lookup: ${slow}, and ${label(caller)} waited for it. remoteLookup must give the owner at most OWNER_TIMEOUT_MS (${patience} ms), then answer nodedown, so that resolve falls back to the store`,
      );
    }
    if (got.answer.status === 500) {
      throw new Error(
        `GET /${link.code} on ${label(caller)} answered ${shown(got.answer)}: ${slow}, and remoteLookup threw when the owner did not answer in time. A timeout means the owner is out of reach, as nodedown does: remoteLookup must answer { error: 'nodedown' } for both, so that resolve falls back to the store`,
      );
    }
    expectRedirect(got.answer, caller, link.code, link.url, `${slow}: after OWNER_TIMEOUT_MS without the owner's answer, resolve must answer from the store`);
    if (created.ownerHad !== null) {
      throw new Error(
        `POST / url=${fresh.url} on ${label(caller)} answered ${shown(created.answer)} only after the owner ${label(owner)} had cached the link: ${slow}, and ${label(caller)} waited for it. createOnOwner must wait for the owner's confirmation at most OWNER_TIMEOUT_MS (${patience} ms), then answer nodedown (503)`,
      );
    }
    expect(
      created.answer.status,
      `POST / url=${fresh.url} on ${label(caller)} answered ${shown(created.answer)}: ${slow}. After OWNER_TIMEOUT_MS without the owner's confirmation, createOnOwner must answer { error: 'nodedown' } (503)`,
    ).toBe(503);
    expect(await stored(fresh.code), `after POST / answered 503, the store holds ${fresh.code} as`).toBe(fresh.url);
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
