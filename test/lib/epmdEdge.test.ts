// The port mapper faces the network too: anyone may look names up, but only
// programs on its own host may register a name or stop it, no web page may use
// it, nothing idle stays connected, and when it dies and comes back every
// running node registers again.
import { afterAll, describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { WebSocket } from 'ws';
import { EpmdClient } from '../../lib/epmd/client.ts';
import { spawnNode, type SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import { freePort } from '../support/globalSetup.ts';
import { COOKIE, fixture, uniqueName } from '../support/nodes.ts';
import { closedBy, rawTcp } from '../support/rawSocket.ts';
import { waitFor } from '../support/wait.ts';

const started: SpawnedNode[] = [];
const port = await freePort();
const env = { DISTSYS_EPMD_PORT: String(port), DISTSYS_EPMD_IDLE_MS: '2000' };

afterAll(async () => {
  await Promise.all(started.map((n) => n.kill().catch(() => {})));
  await EpmdClient.ask(port, '127.0.0.1', (c) => c.kill()).catch(() => {});
});

async function node(prefix: string, options: { name?: string; boot?: string; env?: Record<string, string> } = {}): Promise<SpawnedNode> {
  const n = await spawnNode({
    ...(options.name ? { name: options.name } : { sname: uniqueName(prefix) }),
    cookie: COOKIE,
    ...(options.boot ? { boot: options.boot } : {}),
    env: { ...env, ...options.env },
  });
  started.push(n);
  return n;
}

const names = async () => (await EpmdClient.ask(port, '127.0.0.1', (c) => c.names())).map((n) => n.name).sort();
const alive = (n: SpawnedNode) => n.name.split('@')[0] as string;
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

describe('the port mapper at the network edge', () => {
  it('refuses web pages, and closes connections that never upgrade or never register', async () => {
    const first = await node('edge');
    expect(await names()).toEqual([alive(first)]);
    const page = new WebSocket(`ws://127.0.0.1:${port}/`, { origin: 'http://localhost:8080' });
    const status = await new Promise<number>((resolve) => {
      page.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      page.on('error', () => {});
      page.on('open', () => resolve(101));
    });
    expect(status).toBe(403);

    const idle = await rawTcp(port);
    const lookupOnly = await EpmdClient.connect(port);
    expect(await lookupOnly.lookup(alive(first))).toEqual(expect.any(Number));
    const lost = new Promise<void>((resolve) => (lookupOnly.onLost = resolve));
    const startedAt = Date.now();
    await Promise.all([closedBy(idle), lost]);
    expect(Date.now() - startedAt).toBeLessThan(8_000);
    // Registered nodes are not idle: the first one is still there.
    expect(await names()).toEqual([alive(first)]);
  });

  it.skipIf(!external)('from another host, names can be looked up, but not registered, and the port mapper cannot be stopped', async () => {
    const exposed = await node('exposed', { name: `${uniqueName('exposed')}@${external}` });
    // The port mapper now listens on the external address too; a client there is not on "this host".
    const remote = await EpmdClient.connect(port, { host: external });
    try {
      expect(await remote.lookup(alive(exposed))).toEqual(expect.any(Number));
      await expect(remote.register('squatter', 1234)).rejects.toThrow(/only for programs on the port mapper's own host/);
      await expect(remote.kill()).rejects.toThrow(/only for programs on the port mapper's own host/);
    } finally {
      remote.close();
    }
    expect(await names()).toContain(alive(exposed));
    expect(await names()).not.toContain('squatter');
  });

  it('killed with -9 and started again, it finds every running node: they register again', async () => {
    const a = await node('survivor');
    const b = await node('survivor');
    const before = await names();
    expect(before).toEqual(expect.arrayContaining([alive(a), alive(b)]));
    const pid = await EpmdClient.ask(port, '127.0.0.1', (c) => c.pid());
    process.kill(pid as number, 'SIGKILL');
    // The nodes notice, start a new one (or find one another started) and register again.
    await waitFor(async () => expect(await names().catch(() => [])).toEqual(before), 15_000, 100);
    expect(await EpmdClient.ask(port, '127.0.0.1', (c) => c.pid())).not.toBe(pid);
    await waitFor(() => expect(a.log()).toContain('the port mapper is back'));
    // A node started now finds them through it and connects.
    const late = await node('late', { boot: fixture('dialAtBoot.ts'), env: { DIAL: a.name } });
    expect(late.name).toMatch(/^late/);
  });
});
