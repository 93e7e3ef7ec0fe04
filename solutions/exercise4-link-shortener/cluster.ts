// Problem 2: who owns which link. The cluster's canonical membership lives in
// the store, written by whoever runs the cluster (the tests, the demo, an
// operator); each node builds its own consistent-hash ring from it when asked
// (updateRing), and findNode reads that ring. Every node that built its ring
// from the same membership agrees on every owner, even while the network is
// split, because the store is reachable from both sides.
//
// Make the tests pass: npm test -- exercise4 -t "problem 2"
import { z } from 'zod';
import { HashRing, type NodeName } from '../../lib/index.ts';
import { MEMBERSHIP_KEY, store } from '#stage/exercise4-link-shortener/store.ts';

const membership = z.array(z.string().min(1));

/** Writes the canonical membership to the store (nodes rebuild their rings from it with updateRing). */
export async function setCanonicalNodes(nodes: NodeName[]): Promise<void> {
  await store().set(MEMBERSHIP_KEY, JSON.stringify(nodes));
}

/** The canonical membership as the store holds it ([] if nobody has set one). */
export async function canonicalNodes(): Promise<NodeName[]> {
  const text = await store().get(MEMBERSHIP_KEY);
  if (text === null) return [];
  const parsed = membership.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`the membership in the store (${MEMBERSHIP_KEY}) is not a list of node names: ${text.slice(0, 200)}`);
  return parsed.data;
}

/** This node's ring, as last built by updateRing. */
let ring: HashRing | undefined;

/**
 * Rebuilds this node's ring from the canonical membership in the store, and
 * returns the nodes on it.
 */
export async function updateRing(): Promise<NodeName[]> {
  ring = new HashRing(await canonicalNodes());
  return [...ring.nodes];
}

/**
 * The node that owns `code` on this node's ring: the same answer on every node
 * whose ring was built from the same membership. Throws if the ring was never
 * built (or the membership is empty).
 */
export function findNode(code: string): NodeName {
  if (!ring) throw new Error('this node has no ring yet: it must read the membership from the store first (updateRing)');
  return ring.find(code);
}
