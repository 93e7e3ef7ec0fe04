// The shortener's work: create a link, look one up. Two designs, one per problem;
// a node uses one or the other (DISTSYS_SHORTENER_REPLICATION, see shortener.ts).
//
// Problem 1, full replication: every node's cache holds every link.
//   create(url) on any node: store it, then cache it on every node (this one too)
//   lookup(code) on any node: this node's cache; on a miss, the store, and fill the cache
//
// Problem 2, consistent hashing: only the owner's cache holds a link (cluster.ts says who).
//   createOnOwner(url): store it, then cache it on the owner only
//   remoteLookup(code): run lookup on the owner, which fills the owner's cache
//   resolve(code): what GET /<code> answers: remoteLookup, or the store if the owner is out of reach
//
// Results mirror Elixir's {:ok, value} / {:error, reason}: { ok: value } or { error: reason }.
//
// Make the tests pass: npm test -- exercise4 -t "problem 1" (then "problem 2").
import { CallError, GenServer, RpcError, rpc } from '../../lib/index.ts';
import { CACHE, cache, cached } from '#stage/exercise4-link-shortener/cache.ts';
import { findNode } from './cluster.ts';
import { MAX_CANDIDATES, shortCode } from '#stage/exercise4-link-shortener/shortCode.ts';
import { linkKey, store } from '#stage/exercise4-link-shortener/store.ts';

export type Created = { ok: string } | { error: 'taken' | 'nodedown' };
export type Found = { ok: string } | { error: 'notFound' };
export type FoundRemotely = Found | { error: 'nodedown' };

/** How long a node waits for the owner of a link before it calls it unreachable. */
export const OWNER_TIMEOUT_MS = 2_000;

/**
 * Problem 1: stores `url` under its short code and returns the code. The code is
 * the first candidate (shortCode(url, 0), 1, … up to MAX_CANDIDATES) whose slot in
 * the store is free or already holds this url; undefined if every one holds
 * another url. Two nodes may store at the same moment: a slot another url holds
 * is never overwritten.
 */
export async function storeLink(url: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
    const code = shortCode(url, attempt);
    if (await store().set(linkKey(code), url, { nx: true })) return code;
    if ((await store().get(linkKey(code))) === url) return code;
  }
  return undefined;
}

/** Problem 1: stores the link, then caches it on every node, this one included. */
export async function create(url: string): Promise<Created> {
  const code = await storeLink(url);
  if (code === undefined) return { error: 'taken' };
  GenServer.abcast(CACHE, { insert: { code, url } });
  return { ok: code };
}

/** Problem 1: the url of `code`, from this node's cache or else from the store (which then fills the cache). */
export async function lookup(code: string): Promise<Found> {
  const hit = cached(code);
  if (hit !== undefined) return { ok: hit };
  const url = await store().get(linkKey(code));
  if (url === null) return { error: 'notFound' };
  cache(code, url);
  return { ok: url };
}

/**
 * Problem 2: stores the link, then caches it on its owner only. If the owner
 * cannot be reached (down, cut off, or silent for OWNER_TIMEOUT_MS), the answer
 * is { error: 'nodedown' }, though the link is in the store by then.
 */
export async function createOnOwner(url: string): Promise<Created> {
  const code = await storeLink(url);
  if (code === undefined) return { error: 'taken' };
  try {
    await GenServer.call({ name: CACHE, node: findNode(code) }, { insert: { code, url } }, OWNER_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof CallError) return { error: 'nodedown' };
    throw err;
  }
  return { ok: code };
}

/**
 * Problem 2: looks `code` up on its owner, which answers from its own cache (or
 * the store, filling its own cache). This node's cache is left alone.
 * { error: 'nodedown' } if the owner cannot be reached.
 */
export async function remoteLookup(code: string): Promise<FoundRemotely> {
  try {
    return await rpc.call<Found>(findNode(code), import.meta.url, 'lookup', [code], OWNER_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof RpcError && err.reason !== 'raised') return { error: 'nodedown' };
    throw err;
  }
}

/** Problem 2: what GET /<code> answers: the owner's lookup, or the store's url when the owner cannot be reached. */
export async function resolve(code: string): Promise<Found> {
  const found = await remoteLookup(code);
  if (!('error' in found) || found.error !== 'nodedown') return found;
  const url = await store().get(linkKey(code));
  return url === null ? { error: 'notFound' } : { ok: url };
}
