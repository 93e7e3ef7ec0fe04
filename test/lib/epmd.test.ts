// The port mapper: started by the first node on a host, names come and go with
// their nodes, a taken name is refused, and it exits on its own when idle.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { EpmdClient } from '../../lib/epmd/client.ts';
import { Registration } from '../../lib/epmd/registration.ts';
import { spawnNode, type SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import { freePort } from '../support/globalSetup.ts';
import { COOKIE, uniqueName } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/distsys.js', import.meta.url));
const started: SpawnedNode[] = [];
let port: number;

afterAll(async () => {
  await Promise.all(started.map((n) => n.kill().catch(() => {})));
  if (port) await EpmdClient.ask(port, '127.0.0.1', (c) => c.kill()).catch(() => {});
});

/** A node on a port mapper port of this test's own, which idles out after 1 s. */
async function nodeOnOwnMapper(sname: string): Promise<SpawnedNode> {
  const node = await spawnNode({ sname, cookie: COOKIE, env: { DISTSYS_EPMD_PORT: String(port), DISTSYS_EPMD_IDLE_MS: '1000' } });
  started.push(node);
  return node;
}

const names = async () => (await EpmdClient.ask(port, '127.0.0.1', (c) => c.names())).map((n) => n.name);
const refused = () => EpmdClient.connect(port).then((c) => (c.close(), false), () => true);

describe('the port mapper', () => {
  it('the first node starts it; names register, a taken name is refused, names unregister; then it exits when idle', async () => {
    port = await freePort();
    expect(await refused()).toBe(true);
    const first = await nodeOnOwnMapper(uniqueName('first'));
    const alive = first.name.split('@')[0] as string;
    expect(await names()).toEqual([alive]);
    const epmdPid = await EpmdClient.ask(port, '127.0.0.1', (c) => c.pid());
    expect(epmdPid).not.toBe(first.pid);

    const clash = await nodeOnOwnMapper(alive).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(clash?.message).toMatch(new RegExp(`the name ${alive} is already taken on this host`));

    const second = await nodeOnOwnMapper(uniqueName('second'));
    expect((await names()).sort()).toEqual([alive, second.name.split('@')[0]].sort());
    const { stdout } = await execa(process.execPath, [BIN, 'epmd'], { env: { DISTSYS_EPMD_PORT: String(port) } });
    expect(stdout).toContain(`epmd: up and running on port ${port}`);
    expect(stdout).toMatch(new RegExp(`name ${alive} at port \\d+`));

    await first.stop();
    await waitFor(async () => expect(await names()).toEqual([second.name.split('@')[0]]));
    await second.kill('SIGKILL');
    await waitFor(async () => expect(await names()).toEqual([]));
    // Nobody uses it any more: it exits by itself after its idle time.
    await waitFor(async () => expect(await refused()).toBe(true), 15_000, 100);
    const after = await execa(process.execPath, [BIN, 'epmd'], { env: { DISTSYS_EPMD_PORT: String(port) } });
    expect(after.stdout).toContain(`no port mapper is running on port ${port}`);
  });

  it('a node that reaches the port mapper as it exits (idle) registers with the next one, which it starts', async () => {
    const own = await freePort();
    // A port mapper on its way out: it takes the connection, then closes it and its port at the first request.
    const leaving = new WebSocketServer({ host: '127.0.0.1', port: own });
    await new Promise((resolve) => leaving.once('listening', resolve));
    leaving.on('connection', (ws) => ws.once('message', () => {
      ws.terminate();
      leaving.close();
    }));
    const registration = await Registration.start({ port: own, alive: uniqueName('late'), nodePort: 1, expose: [] });
    try {
      expect((await EpmdClient.ask(own, '127.0.0.1', (c) => c.names())).map((n) => n.port)).toEqual([1]);
    } finally {
      await registration.stop();
      await EpmdClient.stopUnused(own);
    }
  });
});
