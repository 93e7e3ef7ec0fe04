// The link shortener application: what every node boots (`start()`), the cache
// server, the aggregates server and the HTTP API over the kit's storage. Given:
// nothing to change here. It is stage 4's shortener, solved, with redirect counts.
//
// Settings, from the node's environment:
//   DISTSYS_SHORTENER_PORT         the HTTP port (default 4000; 0 takes a free one, which httpPort() tells)
//   DISTSYS_SHORTENER_REPLICATION  full (every node caches every link, the default)
//                                  or ring (only a link's owner caches it), as in stage 4;
//                                  useReplication() switches a running node (the tests do)
//   DISTSYS_STORAGE_URL            the store (the harness sets it for the nodes it starts)
//
// Run one by hand: DISTSYS_SHORTENER_PORT=4000 npx distsys node --sname s1 --boot exercises/exercise5-crdt/shortener.ts
// or three with the demo: npx distsys shortener --stage 5
import { z } from 'zod';
import { GenServer } from '../../lib/index.ts';
import { AGGREGATES, AggregatesServer, countFor, recordRedirect } from './aggregates.ts';
import { CACHE, CacheServer } from './cache.ts';
import { serveHttp, type HttpServer, type Links } from './http.ts';
import { create, createOnOwner, lookup, resolve } from './linkManager.ts';

export const PORT_ENV = 'DISTSYS_SHORTENER_PORT';
export const REPLICATION_ENV = 'DISTSYS_SHORTENER_REPLICATION';
export const DEFAULT_PORT = 4000;

const settings = z.object({
  [PORT_ENV]: z.coerce.number({ error: `${PORT_ENV} must be a port number (0-65535)` }).int().min(0).max(65535).default(DEFAULT_PORT),
  [REPLICATION_ENV]: z.enum(['full', 'ring'], { error: `${REPLICATION_ENV} must be full or ring` }).default('full'),
});

export type Replication = 'full' | 'ring';

/** Which functions serve the API under each design. */
const designs: Record<Replication, Links> = {
  full: { create, resolve: lookup },
  ring: { create: createOnOwner, resolve },
};

let http: HttpServer | undefined;
let replication: Replication | undefined;

/** Boots the shortener on this node: its cache and aggregates servers, then the HTTP API. */
export async function start(): Promise<void> {
  const parsed = settings.safeParse(process.env);
  if (!parsed.success) throw new Error(`the shortener cannot start: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  replication = parsed.data[REPLICATION_ENV];
  await GenServer.start(CacheServer, undefined, { name: CACHE });
  await GenServer.start(AggregatesServer, undefined, { name: AGGREGATES });
  // Each request asks for the design in force, so useReplication takes effect at once.
  const links: Links = {
    create: (url) => designs[replicationOf()].create(url),
    resolve: (code) => designs[replicationOf()].resolve(code),
  };
  http = await serveHttp({ port: parsed.data[PORT_ENV], links, counts: { recordRedirect, countFor } });
}

/** The port this node's API listens on. */
export function httpPort(): number {
  if (!http) throw new Error('the shortener is not started on this node');
  return http.port;
}

/** How this node replicates: 'full' or 'ring'. */
export function replicationOf(): Replication {
  if (!replication) throw new Error('the shortener is not started on this node');
  return replication;
}

/** Switches this node's API to the other design (the cache keeps what it holds). */
export function useReplication(design: Replication): Replication {
  if (design !== 'full' && design !== 'ring') throw new Error(`useReplication: full or ring, not ${JSON.stringify(design)}`);
  replication = design;
  return design;
}

/** Stops the API and the servers. */
export async function stop(): Promise<void> {
  await http?.close();
  http = undefined;
  await GenServer.stop(AGGREGATES).catch(() => undefined);
  await GenServer.stop(CACHE).catch(() => undefined);
}
