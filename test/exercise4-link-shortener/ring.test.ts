// Stage 4, problem 2: the link shortener with consistent hashing, over real HTTP
// requests to three nodes. The scenarios of the original workshop's second test
// file: the ring comes from the stored membership, a create is routed to the
// link's owner, a remote lookup runs on the owner and fills its cache, a create
// or remote lookup whose owner is cut off fails with nodedown, and over HTTP a
// lookup falls back to the store. And the ring is a ring: a newcomer takes about
// a quarter of the codes, all from the others (hash mod N would move most).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Storage, rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { shortCode } from '#stage/exercise4-link-shortener/shortCode.ts';
import { label, stageModule, traceFailures } from '../support/stage.ts';
import { expectCreated, expectRedirect, follow, shorten, shown } from './api.ts';

const APP = stageModule('exercise4-link-shortener/shortener.ts');
const PROBE = new URL('./probe.ts', import.meta.url).href;

let nodes: NodeName[] = [];
const ports = new Map<NodeName, number>();
const portOf = (node: NodeName) => ports.get(node) as number;

type Owners = { owners: NodeName[] } | { error: string };
type Found = { ok: string } | { error: string };

beforeAll(async () => {
  await LocalCluster.start();
  nodes = await LocalCluster.startNodes('ring', 3, {
    boot: APP,
    storage: true,
    env: { DISTSYS_SHORTENER_PORT: '0', DISTSYS_SHORTENER_REPLICATION: 'ring' },
  });
  for (const node of nodes) ports.set(node, await rpc.call<number>(node, PROBE, 'port'));
});
beforeEach(async () => {
  await Storage.connect().flush();
  // The flush took the membership too; each test starts with it back and every ring built from it.
  await rpc.call(nodes[0] as NodeName, PROBE, 'setMembers', [nodes]);
  await Promise.all(nodes.map(async (node) => {
    await rpc.call(node, PROBE, 'rebuildRing');
    await rpc.call(node, PROBE, 'flush');
  }));
});
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

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

/** What every node's cache holds under `code`, as `from` sees it after everything it sent them. */
const caches = (from: NodeName, code: string) => rpc.call<Record<NodeName, string | null>>(from, PROBE, 'cachesSeenFromHere', [code, nodes]);
const listCaches = (views: Record<NodeName, string | null>) =>
  Object.entries(views)
    .map(([node, url]) => `${label(node)}: ${url ?? '(nothing)'}`)
    .join(', ');

function expectOnlyOwnerCaches(views: Record<NodeName, string | null>, owner: NodeName, url: string, after: string, why: string): void {
  const wrong = nodes.filter((node) => (node === owner ? views[node] !== url : views[node] !== null));
  if (wrong.length === 0) return;
  throw new Error(`${after}, the caches hold ${listCaches(views)}; expected the link in ${label(owner)}'s cache only (its owner): ${why}`);
}

async function duringPartition(side: NodeName[], body: () => Promise<void>): Promise<void> {
  await Schism.partition(side);
  try {
    await body();
  } finally {
    await Schism.heal(side);
  }
}

describe('stage 4: the link shortener, consistent hashing', () => {
  it('problem 2: findNode gives each code the same owner on every node, always a member, and spreads 3,000 codes evenly', async () => {
    const answers = new Map<NodeName, NodeName[]>();
    for (const node of nodes) answers.set(node, await ownersOn(node, CODES));
    expectAgreement(answers, CODES, 'with every node connected');
    const owners = answers.get(nodes[0] as NodeName) as NodeName[];
    for (const node of nodes) {
      const share = owners.filter((owner) => owner === node).length / CODES.length;
      if (share < 0.2 || share > 0.47) {
        throw new Error(`${label(node)} owns ${percent(share * CODES.length, CODES.length)} of ${CODES.length} codes, expected about a third: findNode must ask the ring, which spreads codes evenly`);
      }
    }
  });

  it('problem 2: when a fourth node joins the membership, about a quarter of the codes move, all of them to the newcomer (not hash mod N)', async () => {
    const [n1] = nodes as [NodeName];
    const newcomer = `ring4@${n1.split('@')[1]}`;
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
    await duringPartition([nodes[2] as NodeName], async () => {
      await Promise.all(nodes.map((node) => rpc.call(node, PROBE, 'rebuildRing')));
      const answers = new Map<NodeName, NodeName[]>();
      for (const node of nodes) answers.set(node, await ownersOn(node, codes));
      expectAgreement(answers, codes, `after ${label(nodes[2] as NodeName)} was cut off and each node rebuilt its ring`);
    });
  });

  it('problem 2: a create is routed to the link\'s owner: only the owner\'s cache holds the link', async () => {
    const [n1] = nodes as [NodeName];
    const { url, code, owner } = await urlOwnedByAnother(n1, 'routed');
    expectCreated(await shorten(portOf(n1), url), n1, url, code);
    expectOnlyOwnerCaches(await caches(n1, code), owner, url, `after POST / on ${label(n1)}`, 'create caches the link on its owner and nowhere else');
  });

  it('problem 2: a remote lookup runs on the owner and fills the owner\'s cache, not the caller\'s; GET /<code> redirects on every node', async () => {
    const [n1] = nodes as [NodeName];
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
    const [n1] = nodes as [NodeName];
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
    const [n1] = nodes as [NodeName];
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
