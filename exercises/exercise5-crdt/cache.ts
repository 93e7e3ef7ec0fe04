// Every node's cache of links: a table in the node's own memory that a request
// reads directly, like an ETS table in Erlang: no message, no other process, no
// round trip. One node cannot write into another node's memory, so each node
// also runs a small server, registered as 'cache', that fills its table on
// request. Another node reaches it with
//   GenServer.cast({ name: CACHE, node }, { insert: { code, url } })   (no answer)
//   GenServer.call({ name: CACHE, node }, { insert: { code, url } })   (answers 'ok' once it is in)
// and GenServer.abcast(CACHE, { insert: … }) reaches this node's and every connected node's.
import type { From } from '../../lib/index.ts';

/** The name of every node's cache server. */
export const CACHE = 'cache';

/** Beyond this many links the oldest are forgotten: a cache may drop anything, the store keeps it. */
export const MAX_CACHED = 100_000;

const table = new Map<string, string>();

/** The url cached under `code` on this node, or undefined. Reads memory only. */
export function cached(code: string): string | undefined {
  return table.get(code);
}

/** Caches `url` under `code` on this node. */
export function cache(code: string, url: string): void {
  table.delete(code); // re-inserted last, so the oldest entry is the first in the map
  table.set(code, url);
  if (table.size > MAX_CACHED) table.delete(table.keys().next().value as string);
}

/** Empties this node's cache. */
export function flushCache(): void {
  table.clear();
}

export interface Insert {
  insert: { code: string; url: string };
}
/** What the cache server answers: an insert ('ok'), a lookup of one code (the url or null), 'flush'. */
export type CacheRequest = Insert | { lookup: string } | 'flush';

const isInsert = (msg: unknown): msg is Insert => {
  const insert = (msg as Partial<Insert> | null)?.insert;
  return typeof insert?.code === 'string' && typeof insert.url === 'string';
};

/** The cache server: the door through which other nodes fill this node's table. */
export const CacheServer = {
  name: CACHE,
  init: (): null => null,
  handleCast(msg: Insert, state: null) {
    if (isInsert(msg)) cache(msg.insert.code, msg.insert.url);
    return { noreply: true as const, state };
  },
  handleCall(request: CacheRequest, _from: From, state: null) {
    if (request === 'flush') {
      flushCache();
      return { reply: 'ok', state };
    }
    if (isInsert(request)) {
      cache(request.insert.code, request.insert.url);
      return { reply: 'ok', state };
    }
    if (typeof (request as { lookup?: unknown })?.lookup === 'string') return { reply: cached((request as { lookup: string }).lookup) ?? null, state };
    return { reply: { error: 'unknown request' }, state };
  },
};
