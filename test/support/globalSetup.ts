// One port mapper port per test run, free when the run starts, so a run never
// meets a port mapper of another run or of an attendee's own nodes; at the end
// the port mapper is told to exit, so the run leaves no process behind.
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
    try {
      const client = await EpmdClient.connect(port);
      await client.kill();
      client.close();
    } catch {
      // not running: nothing to stop
    }
  };
}
