// The kit's EPMD (epmdServer.ts) as its own OS process, started detached by the
// first kit node in Erlang mode on a host where no epmd answers (portMapper.ts).
// Unlike Erlang's epmd it exits once no node has been registered for a while
// (DISTSYS_EPMD_IDLE_MS), so it never outlives a workshop. One that loses the race
// for the port exits quietly: the nodes use the winner.
import { epmdIdleMsFromEnv } from '../epmd/protocol.ts';
import { recordThisProcess } from '../liveProcesses.ts';
import { erlangEpmdPort } from './epmdProtocol.ts';
import { startErlangEpmdServer } from './epmdServer.ts';

const port = erlangEpmdPort();
const addresses = (process.env.DISTSYS_ERLANG_EPMD_ADDRESSES ?? '').split(',').filter(Boolean);
const verbose = process.env.DISTSYS_EPMD_VERBOSE === '1';
const log = (line: string) => {
  if (verbose) process.stderr.write(`[erlang epmd ${port}] ${line}\n`);
};

try {
  const server = await startErlangEpmdServer({
    port,
    addresses,
    idleMs: epmdIdleMsFromEnv(),
    log,
    onIdle: () => void server.close().then(() => process.exit(0)),
    onKill: () => void server.close().then(() => process.exit(0)),
  });
  recordThisProcess(`the Erlang port mapper on port ${server.port}`);
  log(`listening on ${server.port}`);
} catch (err) {
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') process.exit(0);
  process.stderr.write(`[erlang epmd ${port}] cannot start: ${(err as Error).message}\n`);
  process.exit(1);
}
