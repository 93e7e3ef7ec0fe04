// The port mapper as its own OS process, started detached by the first node on
// the host (or by `distsys epmd --daemon`). A second one that loses the race for
// the port exits quietly: the nodes use the winner.
import { epmdIdleMsFromEnv, epmdPortFromEnv } from './protocol.ts';
import { recordThisProcess } from '../liveProcesses.ts';
import { startEpmdServer } from './server.ts';

const port = epmdPortFromEnv();
const verbose = process.env.DISTSYS_EPMD_VERBOSE === '1';
const log = (line: string) => {
  if (verbose) process.stderr.write(`[epmd ${port}] ${line}\n`);
};

try {
  const server = await startEpmdServer({
    port,
    host: process.env.DISTSYS_EPMD_ADDRESS || '127.0.0.1',
    idleMs: epmdIdleMsFromEnv(),
    log,
    onIdle: () => {
      void server.close().then(() => process.exit(0));
    },
  });
  recordThisProcess(`the port mapper on port ${server.port}`);
  log(`listening on ${server.port}`);
} catch (err) {
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') process.exit(0);
  process.stderr.write(`[epmd ${port}] cannot start: ${(err as Error).message}\n`);
  process.exit(1);
}
