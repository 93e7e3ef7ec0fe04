// The link shortener application of this stage: what every node boots (`start()`).
// It is stage 4's (exercise4-link-shortener/shortener.ts: the cache server and the
// HTTP API over the kit's storage) with stage 4's link manager solved, plus the
// aggregates server and the redirect counts of your aggregates.ts. Given: nothing to
// change here.
//
// Settings, from the node's environment, as in stage 4:
//   DISTSYS_SHORTENER_PORT         the HTTP port (default 4000; 0 takes a free one, which httpPort() tells)
//   DISTSYS_SHORTENER_REPLICATION  full (every node caches every link, the default)
//                                  or ring (only a link's owner caches it);
//                                  useReplication() switches a running node
//   DISTSYS_STORAGE_URL            the store (the harness sets it for the nodes it starts)
//
// Run one by hand: DISTSYS_SHORTENER_PORT=4000 npx distsys node --sname s1 --boot exercises/exercise5-crdt/shortener.ts
// or three with the demo: npx distsys shortener --stage 5
import { startShortener } from '#stage/exercise4-link-shortener/shortener.ts';
// Stage 4's answer, not yours: stage 5 runs whether or not you finished stage 4.
import * as linkManager from '../../solutions/exercise4-link-shortener/linkManager.ts';
import { AGGREGATES, AggregatesServer, countFor, recordRedirect } from '#stage/exercise5-crdt/aggregates.ts';

export { httpPort, replicationOf, stop, useReplication } from '#stage/exercise4-link-shortener/shortener.ts';

/** Boots the shortener on this node: its cache and aggregates servers, then the HTTP API, which counts redirects. */
export async function start(): Promise<void> {
  await startShortener(linkManager, {
    servers: [{ name: AGGREGATES, module: AggregatesServer }],
    counts: { recordRedirect, countFor },
  });
}
