// Each test file runs in its own process with a port mapper of its own, so
// clusters of different files can use the same node names (ping-pong1, …) in
// parallel without clashing. The port mapper is told to exit after the file.
import { afterAll } from 'vitest';
import { EpmdClient } from '../../lib/epmd/client.ts';
import { freePort } from './globalSetup.ts';

const port = await freePort();
process.env.DISTSYS_EPMD_PORT = String(port);

afterAll(async () => {
  await EpmdClient.ask(port, '127.0.0.1', (client) => client.kill()).catch(() => {
    // never started, or already gone
  });
});
