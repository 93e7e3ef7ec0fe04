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
  // TODO: try the candidate codes in order; keep the first whose slot (linkKey(code)) is free
  // or already holds this url, and answer undefined if all MAX_CANDIDATES belong to other urls.
  // Another node may store a colliding url at the same moment: claiming a free slot and
  // checking that it was free must be one step, so that nobody's link is ever overwritten.
  void url;
  return undefined;
}

/** Problem 1: stores the link, then caches it on every node, this one included. */
export async function create(url: string): Promise<Created> {
  // TODO: store the link (storeLink; { error: 'taken' } if it finds no code), then put it in
  // the cache of every node, this one included: each node's cache server (CACHE) fills its
  // node's table when told { insert: { code, url } }. Answer { ok: code }.
  void url;
  return { ok: 'TODO' };
}

/** Problem 1: the url of `code`, from this node's cache or else from the store (which then fills the cache). */
export async function lookup(code: string): Promise<Found> {
  // TODO: answer from this node's cache when it holds the code (no message, no store);
  // otherwise read the store, and cache what it holds before answering. A code nobody
  // stored is { error: 'notFound' }, and nothing is kept of that miss: the link may be
  // created the next moment, on a node this one cannot hear from.
  void code;
  return { error: 'notFound' };
}

/**
 * Problem 2: stores the link, then caches it on its owner only. If the owner
 * cannot be reached (down, cut off, or silent for OWNER_TIMEOUT_MS), the answer
 * is { error: 'nodedown' }, though the link is in the store by then.
 */
export async function createOnOwner(url: string): Promise<Created> {
  // TODO: store the link as problem 1 does, then put it in its owner's cache, and only there.
  // Wait for the owner to confirm (at most OWNER_TIMEOUT_MS): an owner that cannot be reached
  // makes the answer { error: 'nodedown' }.
  void url;
  return { ok: 'TODO' };
}

/**
 * Problem 2: looks `code` up on its owner, which answers from its own cache (or
 * the store, filling its own cache). This node's cache is left alone.
 * { error: 'nodedown' } if the owner cannot be reached.
 */
export async function remoteLookup(code: string): Promise<FoundRemotely> {
  // TODO: run problem 1's lookup on the owner of `code`, not here, so that the owner's cache
  // is the one that fills; give it at most OWNER_TIMEOUT_MS. An owner that cannot be reached
  // (down, cut off, or too slow: still connected, but silent for OWNER_TIMEOUT_MS) makes the
  // answer { error: 'nodedown' }.
  void code;
  return { error: 'notFound' };
}

/** Problem 2: what GET /<code> answers: the owner's lookup, or the store's url when the owner cannot be reached. */
export async function resolve(code: string): Promise<Found> {
  // TODO: answer what the owner's lookup answers; when the owner cannot be reached, answer
  // from the store instead (it is reachable from both sides of a partition).
  void code;
  return { error: 'notFound' };
}
