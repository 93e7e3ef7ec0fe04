// Each test file runs in its own process with a port mapper of its own, so
// clusters of different files can use the same node names (ping-pong1, …) in
// parallel without clashing. After the file, this process's node leaves first
// (a node that sees its port mapper go would rightly warn that it is lost),
// then the port mapper is told to exit. This hook runs after the file's own.
import { afterAll } from 'vitest';
import { Node } from '../../lib/index.ts';
import { EpmdClient } from '../../lib/epmd/client.ts';
import { freePort } from './globalSetup.ts';

const port = await freePort();
process.env.DISTSYS_EPMD_PORT = String(port);

afterAll(async () => {
  if (Node.alive()) await Node.stop();
  // It refuses while a node is registered: children killed a moment ago may still be leaving.
  await EpmdClient.stopUnused(port);
});
