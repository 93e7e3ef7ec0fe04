// Problem 2's view of who owns what: each node's findNode, checked against the
// membership and against the other nodes' answers, and urls picked by the owner
// of their code. Node names carry the host's name, so which node owns a given
// code differs from machine to machine; a test that took "the first url not owned
// here" would cut off shortener2 on one laptop and shortener3 on another. Picking
// by owner ("a url that shortener2 owns"), first on the ring the test builds from
// the membership as the lesson does, makes every machine play the same case.
import { HashRing, rpc, type NodeName } from '../../lib/index.ts';
import { shortCode } from '#stage/exercise4-link-shortener/shortCode.ts';
import { label } from '../support/stage.ts';

const PROBE = new URL('./probe.ts', import.meta.url).href;

type Owners = { owners: NodeName[] } | { error: string };

/** The owners of `codes` on `node`'s ring; fails with findNode's own error if it threw, or if it named a non-member. */
export async function ownersOn(node: NodeName, codes: string[], members: NodeName[]): Promise<NodeName[]> {
  const answer = await rpc.call<Owners>(node, PROBE, 'owners', [codes]);
  if ('error' in answer) throw new Error(`findNode on ${label(node)} threw: ${answer.error}`);
  expectMembers(node, codes, answer.owners, members);
  return answer.owners;
}

/** Fails if findNode on `node` named an owner outside `members`. */
export function expectMembers(node: NodeName, codes: string[], owners: NodeName[], members: NodeName[]): void {
  const stranger = owners.findIndex((owner) => !members.includes(owner));
  if (stranger < 0) return;
  const named = owners[stranger] as NodeName;
  const list = `[${members.map(label).join(', ')}]`;
  if (named === node) {
    throw new Error(
      `findNode on ${label(node)} named ${label(node)} itself as the owner of ${codes[stranger]}, but ${label(node)} is not in the membership ${list}: a node that is up but not a member owns nothing, and routes every link to its owner; updateRing must build the ring from the membership in the store alone, without adding this node`,
    );
  }
  throw new Error(
    `findNode on ${label(node)} named ${JSON.stringify(named)} as the owner of ${codes[stranger]}, which is not in the membership ${list}: the ring must be built from the membership in the store (and findNode must ask the ring)`,
  );
}

/** Fails if two nodes disagree on any owner. */
export function expectAgreement(answers: Map<NodeName, NodeName[]>, codes: string[], when: string): void {
  const [first, ...rest] = [...answers];
  if (!first) return;
  for (const [node, owners] of rest) {
    const differ = codes.filter((_, i) => owners[i] !== first[1][i]);
    if (differ.length === 0) continue;
    const i = codes.indexOf(differ[0] as string);
    throw new Error(
      `${when}, findNode on ${label(first[0])} and on ${label(node)} disagree on the owner of ${differ.length} of ${codes.length} codes (${codes[i]}: ${label(first[0])} says ${label(first[1][i] as string)}, ${label(node)} says ${label(owners[i] as string)}): every node must build its ring from the same membership, the one in the store, not from whom it is connected to (Node.list())`,
    );
  }
}

/** Every node's owners of `codes`, checked: members only, and the same on every node. */
export async function agreedOwners(nodes: NodeName[], codes: string[], members: NodeName[], when: string): Promise<NodeName[]> {
  const answers = new Map<NodeName, NodeName[]>();
  for (const node of nodes) answers.set(node, await ownersOn(node, codes, members));
  expectAgreement(answers, codes, when);
  return answers.get(nodes[0] as NodeName) as NodeName[];
}

/**
 * A url (https://elixiroutlaws.com/<path>/<i>) whose code `owner` owns, as every node's
 * findNode says. The test's own ring (lib's HashRing over `members`) picks it, so every
 * machine plays the same case, and one whose url, hashed by mistake instead of its code,
 * would land on another node; a solution with a consistent hash of its own making gets a
 * url its own ring gives `owner`.
 */
export async function urlOwnedBy(owner: NodeName, path: string, nodes: NodeName[], members: NodeName[] = nodes): Promise<{ url: string; code: string }> {
  const urls = Array.from({ length: 48 }, (_, i) => `https://elixiroutlaws.com/${path}/${i}`);
  const codes = urls.map((url) => shortCode(url));
  const theirs = await agreedOwners(nodes, codes, members, `with the membership [${members.map(label).join(', ')}]`);
  const ring = new HashRing(members);
  // Preferably a url that would land elsewhere if the url itself were hashed instead of its code.
  const mine = (k: number) => ring.find(codes[k] as string) === owner && theirs[k] === owner;
  let i = urls.findIndex((url, k) => mine(k) && ring.find(url) !== owner);
  if (i < 0) i = urls.findIndex((_, k) => mine(k));
  if (i < 0) i = theirs.indexOf(owner);
  if (i < 0) {
    throw new Error(
      `findNode names ${label(owner)} the owner of none of ${codes.length} codes, on every node, though ${label(owner)} is a member: findNode must ask the ring built from the membership, which gives each member about its share`,
    );
  }
  return { url: urls[i] as string, code: codes[i] as string };
}
