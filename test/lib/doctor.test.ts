// The doctor's checks one by one, in this process: the Node.js version as a
// function of its version string, the port mapper's port (free, the kit's, or
// squatted by another program), the cookie file, and the order in which it
// offers this machine's addresses. test/cli/doctor.test.ts runs the command.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNodeVersion, MIN_NODE } from '../../apps/doctor/nodeVersion.ts';
import { checkPortMapperPort } from '../../apps/doctor/portMapperPort.ts';
import { checkCookieFile } from '../../apps/doctor/cookieFile.ts';
import { roomAddresses } from '../../apps/doctor/addresses.ts';
import { formatCheck, startFailure, verdict } from '../../apps/doctor/check.ts';
import { checkNodes, neighbourSteps } from '../../apps/doctor/nodes.ts';
import { startEpmdServer } from '../../lib/epmd/server.ts';
import { freePort } from '../support/globalSetup.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  // The squatters' connections are closed here: a squatter never closes one itself.
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'distsys-doctor-test-'));
  dirs.push(dir);
  return dir;
}

function listen<S extends Server>(server: S, port: number): Promise<S> {
  servers.push(server);
  server.on('connection', (socket: Socket) => sockets.push(socket));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('the Node.js version', () => {
  it('20.19 or newer passes; anything older fails and says what to install', () => {
    for (const v of ['v20.19.0', 'v20.20.2', 'v22.0.0', 'v24.11.1', 'v26.1.0']) expect(checkNodeVersion(v).status, v).toBe('ok');
    for (const v of ['v20.18.3', 'v20.0.0', 'v18.20.4', 'v16.20.2']) {
      const r = checkNodeVersion(v);
      expect(r.status, v).toBe('fail');
      expect(r.summary).toBe(`Node.js ${v} is too old: the kit needs 20.19 or newer`);
      expect(r.details?.join('\n')).toMatch(/Install Node\.js 24 \(LTS\) from https:\/\/nodejs\.org/);
      expect(r.details?.join('\n')).toMatch(/dev container/);
    }
    expect(checkNodeVersion('not a version').status).toBe('fail');
    expect(checkNodeVersion('v20.20.0').details?.join(' ')).toMatch(/end of life/);
    expect(checkNodeVersion('v24.11.1').details).toEqual([]);
    expect(checkNodeVersion('v23.1.0').details?.join(' ')).toMatch(/not a long-term-support line/);
  });

  it('the floor is the one package.json and bin/distsys.js state', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE.major}.${MIN_NODE.minor}`);
    const bin = readFileSync(join(ROOT, 'bin/distsys.js'), 'utf8');
    expect(bin).toContain(`const MIN_NODE = { major: ${MIN_NODE.major}, minor: ${MIN_NODE.minor} };`);
  });
});

describe("the port mapper's port", () => {
  it('free: fine, the first node starts the port mapper there', async () => {
    const port = await freePort();
    const r = await checkPortMapperPort({ DISTSYS_EPMD_PORT: String(port) });
    expect(r.status).toBe('ok');
    expect(r.summary).toBe(`port ${port}, the port mapper's (from DISTSYS_EPMD_PORT), is free: the first node you start starts the port mapper there`);
  });

  it("held by the kit's port mapper: fine, and it says which nodes it holds", async () => {
    const port = await freePort();
    const server = await startEpmdServer({ port, idleMs: 60_000 });
    try {
      const r = await checkPortMapperPort({ DISTSYS_EPMD_PORT: String(port) });
      expect(r.status).toBe('ok');
      expect(r.summary).toBe(`port ${port}, the port mapper's (from DISTSYS_EPMD_PORT), is held by the kit's port mapper (process ${process.pid}), with no node registered: fine`);
    } finally {
      await server.close();
    }
  });

  it('held by a program that accepts connections and says nothing (like an Erlang epmd): it fails and says what to do', async () => {
    const port = await freePort();
    await listen(createServer(() => {}), port);
    const r = await checkPortMapperPort({ DISTSYS_EPMD_PORT: String(port) });
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(new RegExp(`^port ${port}, the port mapper's \\(from DISTSYS_EPMD_PORT\\), is held by another program: it does not answer as the kit's port mapper`));
    const details = r.details?.join('\n') ?? '';
    expect(details).toContain(`lsof -nP -iTCP:${port} -sTCP:LISTEN`);
    expect(details).toContain(`netstat -ano | findstr :${port}`);
    expect(details).toContain(`export DISTSYS_EPMD_PORT=${port + 1}`);
    expect(details).toContain(`$env:DISTSYS_EPMD_PORT="${port + 1}"`);
    expect(details).toMatch(/Every laptop that connects to yours must use the same port/);
  });

  it('held by a web server: the same failure', async () => {
    const port = await freePort();
    await listen(createHttpServer((_, res) => res.end('hello')), port);
    const r = await checkPortMapperPort({ DISTSYS_EPMD_PORT: String(port) });
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/is held by another program/);
  });

  it('a DISTSYS_EPMD_PORT that is not a port fails, saying so', async () => {
    const r = await checkPortMapperPort({ DISTSYS_EPMD_PORT: 'abc' });
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('DISTSYS_EPMD_PORT=abc is not a port number (1-65535)');
  });
});

describe('the cookie file', () => {
  it('missing: created, private', () => {
    const path = join(tempDir(), '.distsys.cookie');
    const r = checkCookieFile(path, 'linux');
    expect(r).toEqual({ status: 'ok', summary: `created the cookie file ${path}, private (mode 600)` });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(checkCookieFile(path, 'linux')).toEqual({ status: 'ok', summary: `the cookie file ${path} is there, private (mode 600)` });
  });

  it('readable by others: a warning that says chmod 600 (not on Windows, where modes mean nothing)', () => {
    const path = join(tempDir(), '.distsys.cookie');
    writeFileSync(path, 'SECRET');
    chmodSync(path, 0o644);
    const r = checkCookieFile(path, 'linux');
    expect(r.status).toBe('warn');
    expect(r.summary).toBe(`the cookie file ${path} can be read by other users of this computer (mode 644)`);
    expect(r.details).toEqual([`Make it private: chmod 600 ${path}.`]);
    expect(checkCookieFile(path, 'win32')).toEqual({ status: 'ok', summary: `the cookie file ${path} is there, protected by your user folder` });
  });

  it('empty: fails, and says to delete it', () => {
    const path = join(tempDir(), '.distsys.cookie');
    writeFileSync(path, '\n', { mode: 0o600 });
    const r = checkCookieFile(path, 'linux');
    expect(r.status).toBe('fail');
    expect(r.summary).toBe(`the cookie file ${path} is empty`);
    expect(r.details).toEqual([`Delete ${path}: the next node creates a new one.`]);
  });

  it('in a folder that does not exist: fails, naming the folder', () => {
    const path = join(tempDir(), 'no-such-home', '.distsys.cookie');
    const r = checkCookieFile(path, 'linux');
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/^cannot create the cookie file .*no-such-home.*ENOENT/);
    expect(r.details?.join(' ')).toMatch(/Make your home folder writable/);
  });
});

describe("this machine's addresses", () => {
  it('the Wi-Fi or Ethernet address first, then VPNs, then virtual networks, IPv6 last; never loopback or link-local', () => {
    const v4 = (address: string, internal = false) => ({ address, netmask: '255.255.255.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal, cidr: null });
    const v6 = (address: string) => ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' as const, mac: '00:00:00:00:00:00', internal: false, cidr: null, scopeid: 0 });
    const found = roomAddresses({
      lo0: [v4('127.0.0.1', true)],
      docker0: [v4('172.17.0.1')],
      utun4: [v4('100.101.2.3'), v6('fe80::1')],
      en0: [v6('fe80::aa'), v6('fd00::23'), v4('192.168.1.23')],
      'vEthernet (WSL)': [v4('172.29.64.1')],
    });
    expect(found.map((a) => [a.iface, a.address, a.vpn, a.virtual])).toEqual([
      ['en0', '192.168.1.23', false, false],
      ['utun4', '100.101.2.3', true, false],
      ['docker0', '172.17.0.1', false, true],
      ['vEthernet (WSL)', '172.29.64.1', false, true],
      ['en0', 'fd00::23', false, false],
    ]);
  });
});

describe('the report', () => {
  it('one line per check, details under it, and a last line: ready or not', () => {
    expect(formatCheck({ status: 'fail', summary: 'bad', details: ['do this', '', 'then that'] })).toBe('  FAIL  bad\n        do this\n\n        then that');
    expect(verdict([{ status: 'ok', summary: 'a' }, { status: 'warn', summary: 'b' }], 2345).line).toBe(
      'ready: this laptop can run the workshop, with 1 warning above worth fixing (2.3 s)',
    );
    const notReady = verdict([{ status: 'fail', summary: 'a' }, { status: 'fail', summary: 'b' }], 100);
    expect(startFailure(new Error('node n1 exited before it was ready; its log:\n[n1] warning: x\ndistsys: listen EADDRNOTAVAIL\n'))).toBe(
      'node n1 exited before it was ready: distsys: listen EADDRNOTAVAIL',
    );
    expect(startFailure(new Error('node n1 did not start within 20 ms; its log:\n'))).toBe('node n1 did not start within 20 ms');
    expect(notReady).toEqual({ ready: false, line: 'not ready: 2 problems above (FAIL); do what each says, then run npx distsys doctor again (0.1 s)' });
  });
});

describe("the neighbour's command", () => {
  it('is plain on the default port mapper port', () => {
    const steps = neighbourSteps('192.0.2.5', 4371).join('\n');
    expect(steps).toContain('\n    npx distsys shell --name you@192.0.2.5 --cookie workshop\n');
    expect(steps).not.toContain('DISTSYS_EPMD_PORT');
  });

  it('carries DISTSYS_EPMD_PORT when the port mapper was moved, for both laptops', () => {
    const steps = neighbourSteps('192.0.2.5', 4400);
    expect(steps).toContain('    DISTSYS_EPMD_PORT=4400 npx distsys shell --name you@192.0.2.5 --cookie workshop');
    expect(steps).toContain('    (Windows PowerShell: $env:DISTSYS_EPMD_PORT="4400"; npx distsys shell --name you@192.0.2.5 --cookie workshop)');
    expect(steps.join('\n')).toMatch(/your neighbour starts theirs the same way, with DISTSYS_EPMD_PORT=4400 too,/);
  });
});

describe('the live checks', () => {
  it('in a container: the two nodes pass, and the network check says other laptops cannot reach it', async () => {
    const report = await checkNodes({ inContainer: true });
    expect(report.twoNodes.status, report.twoNodes.summary).toBe('ok');
    expect(report.network).toEqual({
      status: 'ok',
      summary: 'running in a container: its nodes reach each other, but other laptops cannot reach them',
      details: ["Every stage runs on one machine, so that is enough; to join the room's nodes, run the kit on a laptop."],
    });
  });

  it('with no address on a network: a warning, not a failure', async () => {
    const report = await checkNodes({ addresses: [] });
    expect(report.twoNodes.status, report.twoNodes.summary).toBe('ok');
    expect(report.network.status).toBe('warn');
    expect(report.network.summary).toBe('this machine has no address on a network, only its own (127.0.0.1)');
  });

  it('an address a node cannot listen on: FAIL, with the steps for a neighbour and what to check', async () => {
    // 203.0.113.7 (TEST-NET-3) is nobody's address, so a node named for it cannot listen there.
    const report = await checkNodes({ addresses: [{ iface: 'en9', address: '203.0.113.7', vpn: false, virtual: false }] });
    expect(report.twoNodes.status, report.twoNodes.summary).toBe('ok');
    expect(report.network.status).toBe('fail');
    expect(report.network.summary).toMatch(/^a node named for 203\.0\.113\.7 \(en9\) could not start there: node doctor\d+-c@203\.0\.113\.7 exited before it was ready: distsys: .*203\.0\.113\.7/);
    const details = report.network.details?.join('\n') ?? '';
    expect(details).toContain('npx distsys shell --name you@203.0.113.7 --cookie workshop');
    expect(details).toMatch(/firewall[\s\S]*VPN[\s\S]*client isolation/);
  });
});
