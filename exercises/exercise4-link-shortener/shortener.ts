// The link shortener application: what every node boots (`start()`), the cache
// server and the HTTP API over the kit's storage, serving your link manager
// (linkManager.ts). Given: nothing to change here. Stage 5 boots it too
// (startShortener), with stage 4's solved link manager and its redirect counts.
//
// Settings, from the node's environment:
//   DISTSYS_SHORTENER_PORT         the HTTP port (default 4000; 0 takes a free one, which httpPort() tells)
//   DISTSYS_SHORTENER_REPLICATION  full (problem 1: every node caches every link, the default)
//                                  or ring (problem 2: only a link's owner caches it);
//                                  useReplication() switches a running node (the tests do)
//   DISTSYS_STORAGE_URL            the store (the harness sets it for the nodes it starts)
//
// Run one by hand: DISTSYS_SHORTENER_PORT=4000 npx distsys node --sname s1 --boot exercises/exercise4-link-shortener/shortener.ts
// or three with the demo: npx distsys shortener --nodes 3
import { z } from 'zod';
import { GenServer, type GenServerModule } from '../../lib/index.ts';
import { CACHE, CacheServer } from './cache.ts';
import { serveHttp, type Counts, type HttpServer, type Links } from './http.ts';
import type { Created, Found } from '#stage/exercise4-link-shortener/linkManager.ts';

export const PORT_ENV = 'DISTSYS_SHORTENER_PORT';
export const REPLICATION_ENV = 'DISTSYS_SHORTENER_REPLICATION';
export const DEFAULT_PORT = 4000;

const settings = z.object({
  [PORT_ENV]: z.coerce.number({ error: `${PORT_ENV} must be a port number (0-65535)` }).int().min(0).max(65535).default(DEFAULT_PORT),
  [REPLICATION_ENV]: z.enum(['full', 'ring'], { error: `${REPLICATION_ENV} must be full or ring` }).default('full'),
});

export type Replication = 'full' | 'ring';

/** The link manager's functions behind the API (linkManager.ts): problem 1's design, and problem 2's. */
export interface LinkManager {
  create(url: string): Promise<Created>;
  lookup(code: string): Promise<Found>;
  createOnOwner(url: string): Promise<Created>;
  resolve(code: string): Promise<Found>;
}

/** What stage 5 adds: servers every node runs beside the cache server, and the API's redirect counts. */
export interface ShortenerExtras {
  servers?: Array<{ name: string; module: GenServerModule<unknown, undefined> }>;
  counts?: Counts;
}

let http: HttpServer | undefined;
let replication: Replication | undefined;
let servers: string[] = [];

/** Boots the shortener on this node with your link manager. */
export async function start(): Promise<void> {
  // Imported when the node boots, not when this file loads: stage 5 imports this file
  // for startShortener, and must run whatever state this stage's linkManager.ts is in.
  await startShortener(await import('#stage/exercise4-link-shortener/linkManager.ts'));
}

/** Boots the shortener on this node: its cache server (and the extras' servers), then the HTTP API. */
export async function startShortener(linkManager: LinkManager, extras: ShortenerExtras = {}): Promise<void> {
  const parsed = settings.safeParse(process.env);
  if (!parsed.success) throw new Error(`the shortener cannot start: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  replication = parsed.data[REPLICATION_ENV];
  /** Which functions serve the API under each design. */
  const designs: Record<Replication, Links> = {
    full: { create: linkManager.create, resolve: linkManager.lookup },
    ring: { create: linkManager.createOnOwner, resolve: linkManager.resolve },
  };
  await GenServer.start(CacheServer, undefined, { name: CACHE });
  for (const { name, module } of extras.servers ?? []) {
    await GenServer.start(module, undefined, { name });
    servers.push(name);
  }
  // Each request asks for the design in force, so useReplication takes effect at once.
  const links: Links = {
    create: (url) => designs[replicationOf()].create(url),
    resolve: (code) => designs[replicationOf()].resolve(code),
  };
  http = await serveHttp({ port: parsed.data[PORT_ENV], links, counts: extras.counts });
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
  await GenServer.stop(CACHE).catch(() => undefined);
  for (const name of servers) await GenServer.stop(name).catch(() => undefined);
  servers = [];
}
