// Code execution without the cookie, tried by another user of the same machine
// (issue 21, attack 1): a program run as `nobody` stops the port mapper (or
// simply takes its port before it starts), registers the nodes with a port
// mapper of its own, answers lookups with a relay, passes a genuine handshake
// through, and writes an rpc of its own into the authenticated connection.
// The port mapper refuses `kill` while nodes use it, and a frame written by the
// relay fails its MAC: the node closes the connection and says why; nothing runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultPromise } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, rpc } from '../../lib/index.ts';
import { EpmdClient } from '../../lib/epmd/client.ts';
import type { SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import { freePort } from '../support/globalSetup.ts';
import { fixture, startChild, startManager } from '../support/nodes.ts';
import { asOtherUser, otherUserCannot, startAsNobody } from '../support/otherUser.ts';
import { waitFor } from '../support/wait.ts';

const ATTACKER = fileURLToPath(new URL('./fixtures/takeoverAttacker.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'distsys-takeover-'));
const attackers: ResultPromise[] = [];
const victims: SpawnedNode[] = [];

afterAll(async () => {
  // The victims first: a node that loses its (impostor) port mapper would start a real one.
  await Promise.all(victims.map((v) => v.kill().catch(() => {})));
  for (const a of attackers) a.kill('SIGKILL');
  await Promise.all(attackers.map((a) => a.catch(() => {})));
  rmSync(dir, { recursive: true, force: true });
});

type Report = Record<string, unknown>;

/** Starts the attacker as nobody; its reports (one JSON line each) gather in the array it returns. */
function attack(mode: 'takeover' | 'first', port: number, marker: string): Report[] {
  const reports: Report[] = [];
  const child = startAsNobody(ATTACKER, [mode, String(port), marker], { buffer: false, stdin: 'ignore' });
  attackers.push(child);
  let text = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    text += chunk;
    const lines = text.split(/\r?\n/);
    text = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) reports.push(JSON.parse(line) as Report);
  });
  return reports;
}

const reported = (reports: Report[], key: string) => reports.find((r) => key in r);

beforeAll(async () => {
  await startManager();
});

describe('another user without the cookie cannot run code on a node', () => {
  it.skipIf(otherUserCannot !== undefined)(
    asOtherUser('the port mapper refuses kill while nodes are registered, so nobody can take its port and relay the nodes'),
    async () => {
      const port = Number(process.env.DISTSYS_EPMD_PORT);
      const victim = await startChild('victim');
      victims.push(victim);
      const pid = await EpmdClient.ask(port, '127.0.0.1', (c) => c.pid());
      const marker = join(dir, 'takeover-ran');
      const reports = attack('takeover', port, marker);
      await waitFor(() => expect(reported(reports, 'tookPort')).toBeDefined(), 15_000);
      const kill = reported(reports, 'kill')?.kill as { ok?: boolean; error?: string };
      expect(kill, 'the port mapper let a program of another user stop it while nodes were registered').toMatchObject({ ok: false });
      expect(kill.error).toMatch(/the port mapper serves 2 nodes .*: it is not stopped while a node uses it/);
      expect(reported(reports, 'tookPort')).toEqual({ tookPort: false });
      // Still the same port mapper, still holding both names; the nodes reach each other directly.
      expect(await EpmdClient.ask(port, '127.0.0.1', (c) => c.pid())).toBe(pid);
      expect(await Node.connect(victim.name)).toBe(true);
      expect(await rpc.call(victim.name, fixture('app.ts'), 'add', [40, 2])).toBe(42);
      expect(reports.filter((r) => 'registered' in r || 'injected' in r)).toEqual([]);
      expect(existsSync(marker), 'the attacker ran a command on the victim node').toBe(false);
    },
  );

  it.skipIf(otherUserCannot !== undefined)(
    asOtherUser('a relay that passed a genuine handshake through cannot write into the connection: the frame fails its MAC, the node disconnects and says why'),
    async () => {
      // The impostor holds the port before any port mapper runs there: the nodes register with it.
      const port = await freePort();
      const marker = join(dir, 'relay-ran');
      const reports = attack('first', port, marker);
      await waitFor(() => expect(reported(reports, 'tookPort')).toEqual({ tookPort: true }), 15_000);
      const env = { DISTSYS_EPMD_PORT: String(port) };
      const acceptor = await startChild('acceptor', { env });
      victims.push(acceptor);
      await waitFor(() => expect(reported(reports, 'registered')).toEqual({ registered: acceptor.name.split('@')[0] }));
      const initiator = await startChild('initiator', { boot: fixture('dialAtBoot.ts'), env: { ...env, DIAL: acceptor.name } });
      victims.push(initiator);
      // The relay passed the handshake through (the initiator connected), then wrote its frame.
      await waitFor(() => expect(reported(reports, 'injected')).toEqual({ injected: acceptor.name.split('@')[0], as: initiator.name }));
      const forged = `closed the connection to ${initiator.name}: frame 1 from ${initiator.name} failed its authentication (MAC)`;
      await waitFor(() => expect(existsSync(marker) || acceptor.log().includes(forged)).toBe(true));
      expect(existsSync(marker), 'the relay ran a command on the node it reached').toBe(false);
      expect(acceptor.log()).toContain(forged);
      expect(acceptor.log()).toContain('written into the connection by someone without the session key');
    },
  );
});
