// `distsys doctor`, run as an attendee runs it: green on this machine, and red
// with the right words for each failure it reports, faked here: the port
// mapper's port squatted by another program, an old Node.js (a preloaded module
// makes process.version say v18.20.4), and a home folder the user cannot write
// in. Each run leaves nothing running (ps: no process carries the run's mark).
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/globalSetup.ts';
import { NOBODY, otherUserCannot } from '../support/otherUser.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/distsys.js', import.meta.url));
const dirs: string[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  for (const dir of dirs) {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'distsys-doctor-home-'));
  dirs.push(dir);
  return dir;
}

/** A fake of Node.js `version`, loaded before bin/distsys.js. */
const pretendNode = (version: string) =>
  `data:text/javascript,Object.defineProperty(process,"version",{value:"v${version}"});Object.defineProperty(process.versions,"node",{value:"${version}"})`;

interface Run {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** The report's last line. */
  readonly last: string;
}

/** The OS processes that carry `mark` in their environment (everything a run started inherits it). */
async function carrying(mark: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eww', 'e', '-o', 'pid=,args=']);
  return stdout.split('\n').filter((line) => line.includes(`DOCTOR_TEST_RUN=${mark}`));
}

/** Runs `distsys doctor` with `env`, then checks that nothing it started still runs. */
async function doctor(env: Record<string, string>, options: { nodeArgs?: string[]; uid?: number } = {}): Promise<Run> {
  const mark = randomUUID();
  const run = await execa(process.execPath, [...(options.nodeArgs ?? []), BIN, 'doctor'], {
    env: { DISTSYS_LOG_LEVEL: 'warning', ...env, DOCTOR_TEST_RUN: mark },
    reject: false,
    timeout: 60_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  await waitFor(async () => expect(await carrying(mark), 'processes the doctor left running').toEqual([]), 10_000, 100);
  const lines = run.stdout.trimEnd().split('\n');
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, last: lines[lines.length - 1] ?? '' };
}

// root writes in any folder, so as root the unwritable-home test runs the doctor as nobody, for
// whom a folder of mode 555 is read-only; that needs a Node.js nobody may run (not one under /root)
// and a checkout nobody may read (not one under a folder of mode 0700): otherwise it is skipped, saying so.
const asRoot = process.getuid?.() === 0;
const nobodyCannot = asRoot ? otherUserCannot : undefined;

const explain = (run: Run) => `doctor said:\n${run.stdout}\n${run.stderr}`;

// Each run starts real nodes and a storage: on a busy 2-core machine one takes up to ~15 s.
describe('distsys doctor', { timeout: 60_000 }, () => {
  it('(the check for processes left running sees one that carries the mark)', async () => {
    const mark = randomUUID();
    const sleeper = execa(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { env: { DOCTOR_TEST_RUN: mark }, reject: false });
    await waitFor(async () => expect(await carrying(mark)).toHaveLength(1));
    sleeper.kill('SIGKILL');
    await sleeper;
    expect(await carrying(mark)).toEqual([]);
  });

  it('on this machine: every check passes, it ends with ready and exits 0', async () => {
    const dir = home();
    const port = await freePort();
    const run = await doctor({ HOME: dir, DISTSYS_EPMD_PORT: String(port) });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.stdout).toMatch(/^distsys doctor: is this laptop ready for the workshop\?/);
    expect(run.stdout).toMatch(new RegExp(`^  ok    Node\\.js ${process.version.replace(/\./g, '\\.')} \\(the kit needs 20\\.19 or newer\\)$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}ok {4}two nodes \(this one and a child started in \d+ ms\) found each other through the port mapper, connected and exchanged a message$/m);
    expect(run.stdout).toMatch(/^ {8}on doctor\d+-b@\S+, Node\.list\(\) shows \["doctor\d+-a@\S+"\]$/m);
    expect(run.stdout).toContain(`  ok    port ${port}, the port mapper's (from DISTSYS_EPMD_PORT), is free: the first node you start starts the port mapper there\n`);
    const cookie = join(dir, '.distsys.cookie');
    expect(run.stdout).toContain(`  ok    created the cookie file ${cookie}, private (mode 600)\n`);
    expect(statSync(cookie).mode & 0o777).toBe(0o600);
    expect(run.stdout).toMatch(/^ {2}ok {4}the storage started \(in \d+ ms\), answered and kept a value$/m);
    // The network: this machine's address and what a neighbour runs (a machine with no network only warns).
    const network = /^ {2}(ok|warn) {2,4}this machine's address: (\S+) \(.*\); a node named doctor\d+-c@\2 answers there$/m.exec(run.stdout);
    if (network) {
      const address = network[2] as string;
      expect(run.stdout).toContain(`npx distsys shell --name you@${address} --cookie workshop`);
      expect(run.stdout).toContain(`await Node.connect('you@${address}')`);
      expect(run.stdout).toMatch(/firewall[\s\S]*VPN[\s\S]*Wi-Fi/);
    } else {
      expect(run.stdout).toMatch(/^ {2}warn {2}this machine has no address on a network/m);
    }
    expect(run.stdout).not.toMatch(/^ {2}FAIL/m);
    expect(run.last).toMatch(/^ready: this laptop can run the workshop.* \(\d+\.\d s\)$/);
  });

  it("the port mapper's port held by another program: FAIL with what to do, not ready, exit 1", async () => {
    const port = await freePort();
    const squatter = createServer((socket) => sockets.push(socket));
    servers.push(squatter);
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const run = await doctor({ HOME: home(), DISTSYS_EPMD_PORT: String(port) });
    expect(run.exitCode, explain(run)).toBe(1);
    expect(run.stdout).toContain(`  FAIL  port ${port}, the port mapper's (from DISTSYS_EPMD_PORT), is held by another program: it does not answer as the kit's port mapper`);
    expect(run.stdout).toContain(`export DISTSYS_EPMD_PORT=${port + 1}`);
    expect(run.stdout).toContain(`lsof -nP -iTCP:${port} -sTCP:LISTEN`);
    // The other checks do not depend on that port: nodes still work on a port mapper of the doctor's own.
    expect(run.stdout).toMatch(/^ {2}ok {4}two nodes/m);
    expect(run.last).toMatch(/^not ready: 1 problem above \(FAIL\); do what each says, then run npx distsys doctor again \(\d+\.\d s\)$/);
  });

  it('an old Node.js: FAIL with what to install, not ready, exit 1; 20.19 itself passes the gate', async () => {
    const run = await doctor({ HOME: home() }, { nodeArgs: ['--import', pretendNode('18.20.4')] });
    expect(run.exitCode, explain(run)).toBe(1);
    expect(run.stdout).toContain('  FAIL  Node.js v18.20.4 is too old: the kit needs 20.19 or newer\n');
    expect(run.stdout).toContain('Install Node.js 24 (LTS) from https://nodejs.org');
    expect(run.last).toBe('not ready: Node.js is too old (above)');

    // Every other command says so too; the gate is exactly at 20.19.
    const shell = await execa(process.execPath, ['--import', pretendNode('20.18.3'), BIN, 'shell', '--sname', 'x'], { reject: false });
    expect(shell.exitCode).toBe(1);
    expect(shell.stderr).toContain('distsys: Node.js v20.18.3 is too old: the kit needs 20.19 or newer');
    const help = await execa(process.execPath, ['--import', pretendNode('20.19.0'), BIN, 'help'], { reject: false });
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('distsys doctor');
  });

  it.skipIf(nobodyCannot !== undefined)(`a home folder the user cannot write in: the cookie file cannot be created, FAIL, not ready, exit 1${nobodyCannot ? ` (skipped: ${nobodyCannot})` : ''}`, async () => {
    const dir = home();
    chmodSync(dir, 0o555);
    // As nobody, a temporary folder nobody may write in too, like /tmp (the caller's TMPDIR may be root's own).
    const temp = home();
    chmodSync(temp, 0o1777);
    const run = await doctor({ HOME: dir, ...(asRoot ? { TMPDIR: temp } : {}) }, asRoot ? { uid: NOBODY } : {});
    expect(run.exitCode, explain(run)).toBe(1);
    const cookie = join(dir, '.distsys.cookie');
    expect(run.stdout).toContain(`  FAIL  cannot create the cookie file ${cookie}: EACCES`);
    expect(run.stdout).toContain(`Your home folder (${dir}) does not let you write in it`);
    expect(run.stdout).toContain('Make your home folder writable');
    expect(run.last).toMatch(/^not ready: 1 problem above/);
  });
});
