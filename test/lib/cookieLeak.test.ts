// The cookie leaks to another user of the same machine (issue 21, attack 2).
// Part run as `nobody`: reading the command lines of the nodes the kit starts
// (LocalCluster, spawnNode, the shortener command), which every user may read;
// and planting, before the kit runs, links named after the next process ids in
// the folder where kit processes record themselves, so that a process writes
// its record over the victim's cookie file. Children get the cookie in their
// environment (private to their user), and records live in a private folder
// of the user's, written without following links.
// Beside them, a record names its process beyond its pid: a pid given to an
// unrelated process since is not taken for the kit's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { spawnNode, type SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import type { LiveProcess } from '../../lib/liveProcesses.ts';
import { tsEntryArgs } from '../../lib/childProcess.ts';
import { startManager, uniqueName } from '../support/nodes.ts';
import { asOtherUser, otherUserCannot, runAsNobody } from '../support/otherUser.ts';
import { waitFor } from '../support/wait.ts';

const SNOOPER = fileURLToPath(new URL('./fixtures/cookieSnooper.ts', import.meta.url));
const PLANTER = fileURLToPath(new URL('./fixtures/linkPlanter.ts', import.meta.url));
const RECORDS = fileURLToPath(new URL('./fixtures/liveRecords.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/distsys.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'distsys-leak-'));
/** A folder like /tmp: anyone may create things in it, only their owner may remove them. */
const shared = mkdtempSync(join(tmpdir(), 'distsys-shared-'));
chmodSync(shared, 0o1777);
const nodes: SpawnedNode[] = [];
const programs: ResultPromise[] = [];

afterAll(async () => {
  await LocalCluster.stopNodes().catch(() => {});
  await Promise.all(nodes.map((n) => n.kill().catch(() => {})));
  for (const p of programs) p.kill('SIGKILL');
  await Promise.all(programs.map((p) => p.catch(() => {})));
  rmSync(scratch, { recursive: true, force: true });
  rmSync(shared, { recursive: true, force: true });
});

const SECRET = `Zq8-${process.pid}-cookie-nobody-should-read`;

beforeAll(async () => {
  await startManager({ cookie: SECRET });
});

describe("another user of the machine cannot read or plant the kit's secrets", () => {
  it.skipIf(otherUserCannot !== undefined)(
    asOtherUser("the cookie is on no command line the kit builds (LocalCluster, spawnNode, the shortener command): nobody reading every process's command line finds it"),
    { timeout: 60_000 },
    async () => {
      // Stage 4's demo command, with a cookie file of its own (a fresh home).
      const home = join(scratch, 'home');
      mkdirSync(home, { mode: 0o700 });
      const demoSecret = `Yq8${process.pid}DEMOCOOKIEFILE`;
      writeFileSync(join(home, '.distsys.cookie'), demoSecret, { mode: 0o600 });
      const demo = execa(process.execPath, [BIN, 'shortener', '--nodes', '1', '--port', '0'], {
        buffer: false,
        reject: false,
        stdin: 'ignore',
        env: { HOME: home, DISTSYS_STORAGE_URL: '', DISTSYS_EPMD_IDLE_MS: '300', DISTSYS_LOG_LEVEL: 'error' },
      });
      programs.push(demo);
      let printed = '';
      demo.stdout?.setEncoding('utf8');
      demo.stdout?.on('data', (chunk: string) => (printed += chunk));
      const [cluster, alone] = await Promise.all([
        LocalCluster.startNodes(uniqueName('leak'), 2),
        spawnNode({ sname: uniqueName('alone'), cookie: SECRET }),
      ]);
      nodes.push(alone);
      await waitFor(() => expect(printed).toContain('shortener ready'), 30_000, 100);
      expect(cluster).toHaveLength(2);

      const run = await runAsNobody(SNOOPER, [SECRET, demoSecret]);
      expect(run.exitCode, run.stderr).toBe(0);
      const found = JSON.parse(run.stdout) as { seen: Array<{ pid: number; where: string; text: string }>; environmentsRefused: number };
      expect(found.seen, 'nobody read the cookie off a process the kit started').toEqual([]);
      // The channel they use instead is closed to another user: not one environment of root's processes was readable.
      expect(found.environmentsRefused).toBeGreaterThan(3);
      demo.kill('SIGINT');
    },
  );

  it.skipIf(otherUserCannot !== undefined)(
    asOtherUser('links planted by another user in a shared temporary folder are never written through: a node keeps no record there and says why, the cookie file is untouched'),
    async () => {
      // The victim's cookie file, which the trap points at.
      const home = join(scratch, 'victim-home');
      mkdirSync(home, { mode: 0o700 });
      const cookieFile = join(home, '.distsys.cookie');
      writeFileSync(cookieFile, SECRET, { mode: 0o600 });
      // Every name the kit has used for the folder: the old shared one, and each user's own.
      const plant = await runAsNobody(PLANTER, [shared, cookieFile, '3000', 'distsys-live', 'distsys-live-0']);
      expect(plant.exitCode, plant.stderr).toBe(0);
      const range = JSON.parse(plant.stdout) as { from: number; to: number };
      const node = await spawnNode({ sname: uniqueName('trapped'), cookie: SECRET, env: { TMPDIR: shared, DISTSYS_LOG_LEVEL: 'warning' } });
      nodes.push(node);
      // The trap was set for this process id: the test is worth something only then.
      expect(node.pid).toBeGreaterThanOrEqual(range.from);
      expect(node.pid).toBeLessThanOrEqual(range.to);
      expect(readFileSync(cookieFile, 'utf8'), 'the node wrote its process record through the planted link, over the cookie file').toBe(SECRET);
      expect(node.log()).toContain(`not recording this process in the temporary folder: ${join(shared, 'distsys-live-0')} belongs to another user (uid 65534)`);
      expect(node.log()).toContain('remove it, or set TMPDIR to a folder of your own');
    },
  );
});

/** Whether this process may choose the next process id (root, Linux): the reuse of a pid can then be staged for real. */
const pidChoice = (() => {
  if (process.platform !== 'linux') return `the next process id can be chosen on Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `choosing the next process id needs root (this test runs as uid ${process.getuid?.()})`;
  if (!existsSync('/proc/sys/kernel/ns_last_pid')) return 'this Linux has no /proc/sys/kernel/ns_last_pid';
  return undefined;
})();

describe('process records', () => {
  it.skipIf(pidChoice !== undefined)(
    `a node killed with -9 whose pid the system then gives to an unrelated process is not taken for a live kit process${pidChoice ? ` (skipped: ${pidChoice})` : ''}`,
    async () => {
      const own = join(scratch, 'records');
      mkdirSync(own, { mode: 0o700 });
      const node = await spawnNode({ sname: uniqueName('reused'), cookie: SECRET, env: { TMPDIR: own } });
      const pid = node.pid;
      // What the soak reads after a run, from a process of its own with that temporary folder.
      const recorded = async () => {
        const run = await execa(process.execPath, tsEntryArgs(RECORDS), { env: { TMPDIR: own } });
        return (JSON.parse(run.stdout) as LiveProcess[]).map((p) => `${p.pid} ${p.what}`);
      };
      expect(await recorded()).toEqual([`${pid} distsys node ${node.name.split('@')[0]}`]);
      await node.kill('SIGKILL');
      // An unrelated program gets the same number: ask the kernel for it, again if another process took it first.
      let impostor: ResultPromise | undefined;
      for (let attempt = 0; attempt < 50 && impostor?.pid !== pid; attempt++) {
        impostor?.kill('SIGKILL');
        writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
        impostor = execa(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { reject: false });
      }
      if (impostor) programs.push(impostor);
      expect(impostor?.pid, "could not give the dead node's pid to another process").toBe(pid);
      expect(await recorded(), "an unrelated process that got a dead node's pid is taken for the kit's").toEqual([]);
    },
  );
});
