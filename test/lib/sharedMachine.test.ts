// The smaller ways into a node's user on a shared machine (issue 21, attack 4),
// each tried for real, another user's part run as `nobody`: a refusal reason
// and names with a newline and terminal escapes, written to the victim's log;
// the storage's journal in a folder the user picked, read by another user; a
// cookie file that is a link to a file another user wrote, or to nothing; and
// the link shortener's Location built from whatever Host header a client sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultPromise } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Storage, rpc } from '../../lib/index.ts';
import { EpmdClient } from '../../lib/epmd/client.ts';
import { spawnNode } from '../../lib/cluster/spawnNode.ts';
import { startStorage } from '../../lib/cluster/storageProcess.ts';
import { serveHttp } from '#stage/exercise4-link-shortener/http.ts';
import { fixture, startChild, startManager, uniqueName } from '../support/nodes.ts';
import { asOtherUser, otherUserCannot, runAsNobody, startAsNobody } from '../support/otherUser.ts';
import { waitFor } from '../support/wait.ts';

const FORGER = fileURLToPath(new URL('./fixtures/textForger.ts', import.meta.url));
const READER = fileURLToPath(new URL('./fixtures/fileReader.ts', import.meta.url));
const WRITER = fileURLToPath(new URL('./fixtures/fileWriter.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'distsys-shared-machine-'));
/** A folder like /tmp: anyone may create things in it, only their owner may remove them. */
const shared = mkdtempSync(join(tmpdir(), 'distsys-shared-'));
chmodSync(shared, 0o1777);
const programs: ResultPromise[] = [];

afterAll(async () => {
  for (const p of programs) p.kill('SIGKILL');
  await Promise.all(programs.map((p) => p.catch(() => {})));
  rmSync(scratch, { recursive: true, force: true });
  rmSync(shared, { recursive: true, force: true });
});

beforeAll(async () => {
  await startManager();
});

const FORGED = '\n[victim@host] error: forged line\u001b]0;owned\u0007\u001b[2J';

describe('on a shared machine', () => {
  it.skipIf(otherUserCannot !== undefined)(
    asOtherUser("network text in a node's log has its control characters escaped: a refusal reason cannot forge a line or drive the terminal, nor can a name"),
    async () => {
      const victim = await startChild('victim');
      const victimPort = (await EpmdClient.ask(Number(process.env.DISTSYS_EPMD_PORT), '127.0.0.1', (c) => c.lookup(victim.name.split('@')[0] as string))) as number;
      const alive = uniqueName('forger');
      const forger = startAsNobody(FORGER, [String(process.env.DISTSYS_EPMD_PORT), alive, String(victimPort), victim.name, FORGED], { buffer: false, stdin: 'ignore' });
      programs.push(forger);
      let said = '';
      forger.stdout?.setEncoding('utf8');
      forger.stdout?.on('data', (chunk: string) => (said += chunk));
      await waitFor(() => expect(said).toContain('"ready":true'), 20_000);
      const forgerName = `${alive}@${victim.name.split('@')[1]}`;
      expect(await rpc.call(victim.name, fixture('mesh.ts'), 'connect', [forgerName])).toBe(false);
      await waitFor(() => expect(victim.log()).toContain(`${forgerName} refused the connection:`));
      await waitFor(() => expect(victim.log()).toContain('refused evil@h'));
      const log = victim.log();
      expect(log, 'a control character from the network reached the terminal').not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(log.split('\n').filter((line) => line.startsWith('[victim@host]')), 'a peer forged a line of the log').toEqual([]);
      expect(log).toContain(`${forgerName} refused the connection: \\n[victim@host] error: forged line\\x1b]0;owned\\x07\\x1b[2J`);
      expect(log).toContain(`refused evil@h\\x1b[2J (at 127.0.0.1): it dialled ${victim.name}\\x1b]0;owned\\x07, but this is ${victim.name}`);
    },
  );

  it.skipIf(otherUserCannot !== undefined)(
    asOtherUser("the storage's files are the user's only (0600), even in a folder others can read"),
    async () => {
      // A folder the user picked, readable by everyone (as `mkdir room` makes it).
      const room = join(scratch, 'room');
      mkdirSync(room, { mode: 0o755 });
      chmodSync(scratch, 0o755);
      const storage = await startStorage({ dir: room });
      try {
        await Storage.connect(storage.url).set('secret', 'the users data');
        const files = ['journal.jsonl', 'token', 'LOCK'].map((f) => join(room, f));
        for (const file of files) expect(statSync(file).mode & 0o777, `${file}'s mode`).toBe(0o600);
        const read = await runAsNobody(READER, files);
        expect(JSON.parse(read.stdout), 'another user read the storage').toEqual(Object.fromEntries(files.map((f) => [f, 'EACCES'])));
      } finally {
        await storage.stop();
        chmodSync(scratch, 0o700);
      }
    },
  );

  it.skipIf(otherUserCannot !== undefined)(
    asOtherUser('a cookie file that is a link to a file another user wrote is refused, in words; one that leads nowhere says so instead of a raw ENOENT'),
    async () => {
      const planted = join(shared, 'cookie');
      const wrote = await runAsNobody(WRITER, [planted, 'ATTACKERKNOWSTHISCOOKIE']);
      expect(wrote.exitCode, wrote.stderr).toBe(0);
      const home = join(scratch, 'home-link');
      mkdirSync(home, { mode: 0o700 });
      symlinkSync(planted, join(home, '.distsys.cookie'));
      const started = spawnNode({ sname: uniqueName('linked'), env: { HOME: home } }).then(
        async (node) => {
          await node.kill();
          return 'started';
        },
        (err: Error) => err.message,
      );
      const said = await started;
      expect(said, "a node took its cookie from a file another user wrote").not.toBe('started');
      expect(said).toContain(`the cookie file ${join(home, '.distsys.cookie')} (a link to ${planted}) belongs to another user (uid 65534), who decides what it says`);

      const nowhere = join(scratch, 'home-dangling');
      mkdirSync(nowhere, { mode: 0o700 });
      symlinkSync(join(nowhere, 'gone'), join(nowhere, '.distsys.cookie'));
      const dangling = await spawnNode({ sname: uniqueName('dangling'), env: { HOME: nowhere } }).then(
        async (node) => {
          await node.kill();
          return 'started';
        },
        (err: Error) => err.message,
      );
      expect(dangling).toContain(`the cookie file ${join(nowhere, '.distsys.cookie')} is a symbolic link to ${join(nowhere, 'gone')}, which does not exist`);
      expect(dangling).not.toContain('ENOENT');
    },
  );
});

/** POST / with a Host header of the client's choosing; resolves with the Location answered. */
function postWithHost(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { host, 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers.location));
    });
    req.on('error', reject);
    req.end('url=https://elixir-lang.org');
  });
}

describe("the link shortener's Location", () => {
  // The given http.ts that stages 4 and 5 serve (stage 5 with its redirect counts).
  const servers = { 'stage 4': {}, 'stage 5': { counts: { recordRedirect: () => {}, countFor: () => 0 } } };
  it.each(Object.entries(servers))('http.ts, as %s serves it: the short link is at the address the server serves, whatever Host header the client sends', async (_stage, extras) => {
    const links = { create: async () => ({ ok: 'abc123' }), resolve: async () => ({ error: 'notFound' as const }) };
    const server = await serveHttp({ port: 0, links, ...extras });
    try {
      for (const host of ['evil.example', 'evil.example:80', `127.0.0.1:${server.port}`]) {
        expect(await postWithHost(server.port, host), `Host: ${host}`).toBe(`http://127.0.0.1:${server.port}/abc123`);
      }
    } finally {
      await server.close();
    }
  });
});
