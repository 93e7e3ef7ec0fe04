// The run's settings: port mappers idle out quickly, and a port picked here (each
// test file picks its own in perFileEpmd.ts) keeps a run away from the port mapper
// of an attendee's own nodes. At the end it is told to exit, if one ran there.
import { createServer } from 'node:net';
import { EpmdClient } from '../../lib/epmd/client.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export default async function setup(): Promise<() => Promise<void>> {
  const port = await freePort();
  process.env.DISTSYS_EPMD_PORT = String(port);
  process.env.DISTSYS_EPMD_IDLE_MS ??= '3000';
  return async () => {
    await EpmdClient.stopUnused(port); // not running: nothing to stop
  };
}
