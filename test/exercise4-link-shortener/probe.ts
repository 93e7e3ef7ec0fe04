// Functions the stage tests run on the shortener's nodes through rpc.call, to
// look inside a node (its port, its cache, its ring) and to call the stage's
// functions there, without the stage's code having to help.
import { GenServer, Node, type NodeName } from '../../lib/index.ts';
import { CACHE, cache, cached, flushCache } from '#stage/exercise4-link-shortener/cache.ts';
import { findNode, setCanonicalNodes, updateRing } from '#stage/exercise4-link-shortener/cluster.ts';
import { OWNER_TIMEOUT_MS, createOnOwner, remoteLookup } from '#stage/exercise4-link-shortener/linkManager.ts';
import { httpPort, useReplication } from '#stage/exercise4-link-shortener/shortener.ts';

export const PROBE = import.meta.url;

export const port = (): number => httpPort();

/** How long this node waits for the owner of a link (linkManager.ts's OWNER_TIMEOUT_MS). */
export const ownerTimeout = (): number => OWNER_TIMEOUT_MS;

/** Switches this node's API to a design: 'full' (problem 1) or 'ring' (problem 2). */
export const replicate = (design: 'full' | 'ring'): string => useReplication(design);

export function flush(): true {
  flushCache();
  return true;
}

/** Puts a link in this node's cache only (the store knows nothing of it). */
export function cacheOnly(code: string, url: string): true {
  cache(code, url);
  return true;
}

export const cachedHere = (code: string): string | null => cached(code) ?? null;

/**
 * What each node's cache holds under `code`, asked from this node. Messages from one
 * node to another arrive in the order they were sent, so each answer comes after
 * whatever this node sent that node's cache before (a broadcast, an insert).
 */
export async function cachesSeenFromHere(code: string, nodes: NodeName[]): Promise<Record<NodeName, string | null>> {
  const views: Record<NodeName, string | null> = {};
  for (const node of nodes) views[node] = await GenServer.call<string | null>({ name: CACHE, node }, { lookup: code }, 5_000);
  return views;
}

/** The owner of each code on this node's ring, or the error findNode threw. */
export function owners(codes: string[]): { owners: NodeName[] } | { error: string } {
  try {
    return { owners: codes.map((code) => findNode(code)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export const setMembers = (nodes: NodeName[]): Promise<void> => setCanonicalNodes(nodes);
export const rebuildRing = (): Promise<NodeName[]> => updateRing();

/** Sets the membership, rebuilds this node's ring from it, and answers the owners of `codes`. */
export async function ownersUnder(nodes: NodeName[], codes: string[]): Promise<ReturnType<typeof owners>> {
  await setCanonicalNodes(nodes);
  await updateRing();
  return owners(codes);
}

export const createHere = (url: string) => createOnOwner(url);
export const remoteLookupHere = (code: string) => remoteLookup(code);

/** Closes this node's connection to `node`, as a restart of either would, and answers whether they are still connected. */
export function disconnectFrom(node: NodeName): boolean {
  Node.disconnect(node);
  return Node.list().includes(node);
}

export const connectTo = (node: NodeName): Promise<boolean> => Node.connect(node);
