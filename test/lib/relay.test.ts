// The handshake's proof is bound to who is talking to whom: a node that dials a
// name an attacker registered (a typo, a peer that is down) cannot be used to
// get the attacker into a third node, nor into itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, addLogHandler, type LogEvent } from '../../lib/index.ts';
import { tsEntryArgs } from '../../lib/childProcess.ts';
import { startChild, startManager, uniqueName } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const logged: string[] = [];
addLogHandler((event: LogEvent) => logged.push(event.message));
const dir = mkdtempSync(join(tmpdir(), 'distsys-relay-'));
const marker = join(dir, 'owned');
let attacker: ResultPromise;
const reports: Array<Record<string, unknown>> = [];

afterAll(() => {
  attacker?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

let victim: Awaited<ReturnType<typeof startChild>>;
let typo: string;

beforeAll(async () => {
  const me = await startManager();
  victim = await startChild('victim');
  const host = me.split('@')[1] as string;
  const alive = uniqueName('typo');
  typo = `${alive}@${host}`;
  const script = fileURLToPath(new URL('./fixtures/relayAttacker.ts', import.meta.url));
  attacker = execa(process.execPath, [...tsEntryArgs(script), alive, host, victim.name, marker], { ipc: true, reject: false, buffer: false });
  attacker.stdout?.setEncoding('utf8');
  let text = '';
  attacker.stdout?.on('data', (chunk: string) => {
    text += chunk;
    const lines = text.split('\n');
    text = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) reports.push(JSON.parse(line) as Record<string, unknown>);
  });
  await waitFor(() => expect(reports).toContainEqual({ ready: typo }), 20_000);
});

describe('the handshake against a relay and a reflection', () => {
  it("a proof relayed from A's dial to a third node C is refused by C, which logs why, and no rpc runs", async () => {
    expect(await Node.ping(typo)).toBe('pang');
    await waitFor(() => expect(reports.find((r) => r.step === 'relay')).toBeDefined());
    expect(reports.find((r) => r.step === 'relay')).toEqual({ step: 'relay', victimSaid: { t: 'reject', reason: 'cookie mismatch' } });
    await waitFor(() =>
      expect(victim.log()).toContain(`rejected a connection from ${Node.self()} (at 127.0.0.1): its cookie does not match ours (or its proof was made for another connection`),
    );
    expect(existsSync(marker)).toBe(false);
    expect(logged.join('\n')).toContain(`could not connect to ${typo}`);
  });

  it("a node's own proof reflected back to it is refused too", async () => {
    expect(await Node.ping(typo)).toBe('pang');
    await waitFor(() => expect(reports.find((r) => r.step === 'reflect')).toBeDefined());
    expect(reports.find((r) => r.step === 'reflect')).toEqual({ step: 'reflect', victimSaid: { t: 'reject', reason: 'cookie mismatch' } });
    await waitFor(() => expect(logged.join('\n')).toContain(`rejected a connection from ${typo} (at 127.0.0.1): its cookie does not match ours`));
    expect(Node.list()).not.toContain(typo);
  });
});
