// The run's settings: port mappers idle out quickly, and a port picked here (each
// test file picks its own in perFileEpmd.ts) keeps a run away from the port mapper
// of an attendee's own nodes. At the end it is told to exit, if one ran there.
import { EpmdClient } from '../../lib/epmd/client.ts';
import { pickPortMapperPort } from '../../lib/epmd/pickPort.ts';

/** A free port for a server a test names before it starts it (see lib/epmd/pickPort.ts for why not listen(0)). */
export const freePort = pickPortMapperPort;

export default async function setup(): Promise<() => Promise<void>> {
  const port = await freePort();
  process.env.DISTSYS_EPMD_PORT = String(port);
  process.env.DISTSYS_EPMD_IDLE_MS ??= '3000';
  return async () => {
    await EpmdClient.stopUnused(port); // not running: nothing to stop
  };
}
