// The fuzz campaign's target: one OS process holding the listeners that an
// attacker on the network can reach (a node's distribution port, the port
// mapper, the storage, and stage 4's link shortener on that node), which tells
// its parent over IPC where they are and, when asked, how many sockets and how
// much memory it holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Node } from '../../lib/index.ts';
import { currentKernel } from '../../lib/distribution/current.ts';
import { epmdPortFromEnv } from '../../lib/epmd/protocol.ts';
import { startEpmdServer } from '../../lib/epmd/server.ts';
import { startStorageServer } from '../../lib/storage/server.ts';

export interface TargetReady {
  readonly node: string;
  readonly nodePort: number;
  readonly epmdPort: number;
  readonly storageUrl: string;
  /** The HTTP port of stage 4's link shortener (its solution), which the node runs. */
  readonly shortenerPort: number;
}

export interface TargetStats {
  readonly rssMiB: number;
  readonly heapMiB: number;
  /** Open handles by kind (libuv's own count: TCP sockets, timers, ...), portable. */
  readonly handles: Record<string, number>;
}

const dir = mkdtempSync(join(tmpdir(), 'distsys-fuzz-storage-'));
const epmdPort = epmdPortFromEnv();
const epmd = await startEpmdServer({ port: epmdPort, idleMs: 24 * 3_600_000 });
const storage = await startStorageServer({ dir, maxDataBytes: 64 * 1024 * 1024 });
await Node.start({ sname: `fuzztarget${process.pid}` }, { cookie: process.env.FUZZ_COOKIE ?? 'fuzz' });
// The node serves stage 4's link shortener (the reference solution) over this storage, on a free port.
process.env.DISTSYS_STORAGE_URL = storage.url;
process.env.DISTSYS_SHORTENER_PORT = '0';
const shortener = await import('#stage/exercise4-link-shortener/shortener.ts');
await shortener.startShortener(await import('../../solutions/exercise4-link-shortener/linkManager.ts'));

const stats = (): TargetStats => {
  const handles: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) handles[kind] = (handles[kind] ?? 0) + 1;
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20, handles };
};

process.on('message', (question: unknown) => {
  if (question === 'stats') process.send?.({ stats: stats() });
  if (question === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ gc: true });
  }
});
const stop = () => {
  void Promise.all([shortener.stop(), Node.stop(), storage.close(), epmd.close()]).finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('disconnect', stop);
process.send?.({
  ready: { node: Node.self(), nodePort: currentKernel()?.port, epmdPort: epmd.port, storageUrl: storage.url, shortenerPort: shortener.httpPort() } satisfies Partial<TargetReady>,
});
