// EPMD's binary protocol: the kit's client against Erlang's own epmd, and the
// kit's EPMD against Erlang's nodes and Erlang's `epmd` command line (as a client),
// and which one a kit node uses. Every epmd here runs on a free port, never 4369.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpmdRegistration, epmdAnswers, killEpmd, listNames, lookupNode } from '../../../lib/erlang/epmdClient.ts';
import { NODE_TYPE } from '../../../lib/erlang/epmdProtocol.ts';
import { startErlangEpmdServer, type ErlangEpmdServer } from '../../../lib/erlang/epmdServer.ts';
import { ensureEpmd } from '../../../lib/erlang/portMapper.ts';
import { liveKitProcesses } from '../../../lib/liveProcesses.ts';
import { freePort } from '../../support/globalSetup.ts';
import { waitFor } from '../../support/wait.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, startRealEpmd, type RealEpmd } from './support/erl.ts';

const run = promisify(execFile);

/** Erlang's `epmd` command as a client of the port mapper on `port`: what it prints, and its exit code. */
async function epmdCommand(port: number, ...args: string[]): Promise<{ out: string; code: number }> {
  try {
    const { stdout, stderr } = await run('epmd', ['-port', String(port), ...args], { timeout: 10_000 });
    return { out: stdout + stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { out: (e.stdout ?? '') + (e.stderr ?? ''), code: e.code ?? -1 };
  }
}

const kitNode = (name: string, port: number) => ({
  name,
  port,
  nodeType: NODE_TYPE.hidden,
  protocol: 0,
  highestVersion: 6,
  lowestVersion: 6,
  extra: new Uint8Array(),
});

describe.skipIf(erlangMissing)(`the kit's client against Erlang's epmd${skipNote}`, () => {
  let epmd: RealEpmd;
  beforeAll(async () => {
    epmd = await startRealEpmd();
  });
  afterAll(async () => {
    await epmd?.stop();
  });

  it('registers a name while its connection stays open, and Erlang looks it up as the kit wrote it', async () => {
    const at = { host: '127.0.0.1', port: epmd.port };
    const registration = await EpmdRegistration.register(at, kitNode('kitclient', 40123));
    expect(registration.creation).toBeGreaterThan(0);
    expect(await lookupNode(at, 'kitclient')).toMatchObject({ name: 'kitclient', port: 40123, nodeType: 72, highestVersion: 6, lowestVersion: 6 });
    expect((await listNames(at)).names).toContainEqual({ name: 'kitclient', port: 40123 });
    expect((await epmdCommand(epmd.port, '-names')).out).toContain('name kitclient at port 40123');
    // A name is one node's: a second registration of it is refused.
    await expect(EpmdRegistration.register(at, kitNode('kitclient', 40124))).rejects.toThrow(/already registered/);
    // Erlang's epmd will not stop under a registered node.
    expect(await killEpmd(at)).toBe('NO');
    registration.close();
    await waitFor(async () => expect(await lookupNode(at, 'kitclient')).toBeUndefined());
  });
});

describe("the kit's EPMD", () => {
  let server: ErlangEpmdServer;
  let killed = false;
  beforeAll(async () => {
    server = await startErlangEpmdServer({ port: await freePort(), onKill: () => (killed = true) });
  });
  afterAll(async () => {
    await server?.close();
  });
  const at = () => ({ host: '127.0.0.1', port: server.port });

  it('registers, looks up, lists and forgets names as Erlang\'s does, and refuses a name twice', async () => {
    const first = await EpmdRegistration.register(at(), kitNode('alpha', 4001));
    const second = await EpmdRegistration.register(at(), kitNode('alpha', 4001)).catch((err: Error) => err);
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toMatch(/already registered/);
    expect(await lookupNode(at(), 'alpha')).toMatchObject({ port: 4001, nodeType: NODE_TYPE.hidden });
    expect(await lookupNode(at(), 'nobody')).toBeUndefined();
    expect(await listNames(at())).toEqual({ epmdPort: server.port, names: [{ name: 'alpha', port: 4001 }] });
    first.close();
    await waitFor(() => expect(server.names()).toEqual([]));
    // A name registered again gets another creation: pids of its earlier run reach nobody.
    const again = await EpmdRegistration.register(at(), kitNode('alpha', 4002));
    expect(again.creation).not.toBe(first.creation);
    again.close();
    await waitFor(() => expect(server.names()).toEqual([]));
  });

  it('closes what is not a request of its protocol (a web page\'s request, an oversized one) and goes on serving', async () => {
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), Buffer.from([0x00, 0x01, 0x63])]) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1');
        let got = '';
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
        socket.write(bytes);
      });
      expect(answer).toBe('');
    }
    expect(await epmdAnswers(at())).toBe(true);
  });

  it('stops on KILL_REQ only when no name is registered', async () => {
    const registration = await EpmdRegistration.register(at(), kitNode('beta', 4003));
    expect(await killEpmd(at())).toBe('NO');
    expect(killed).toBe(false);
    registration.close();
    await waitFor(() => expect(server.names()).toEqual([]));
    expect(await killEpmd(at())).toBe('OK');
    expect(killed).toBe(true);
  });

  it('says it is idle once no name has been registered for the idle time', async () => {
    let idle = false;
    const idler = await startErlangEpmdServer({ port: 0, idleMs: 200, onIdle: () => (idle = true) });
    try {
      const registration = await EpmdRegistration.register({ host: '127.0.0.1', port: idler.port }, kitNode('gamma', 4004));
      registration.close();
      await waitFor(() => expect(idle).toBe(true), 5_000);
    } finally {
      await idler.close();
    }
  });
});

describe.skipIf(erlangMissing)(`the kit's EPMD, as Erlang's nodes and Erlang's epmd command see it${skipNote}`, () => {
  let server: ErlangEpmdServer;
  let erl: ErlNode;
  beforeAll(async () => {
    server = await startErlangEpmdServer({ port: await freePort() });
    erl = await ErlNode.start({ epmdPort: server.port, cookie: 'epmdtest', probeDir: compileProbe() });
  });
  afterAll(async () => {
    await erl?.stop();
    await server?.close();
  });

  it('an erl node registers there, and Erlang finds it with epmd -names and net_adm:names()', async () => {
    const alive = erl.name.split('@')[0]!;
    expect(server.names().map((n) => n.name)).toContain(alive);
    const info = await lookupNode({ host: '127.0.0.1', port: server.port }, alive);
    // OTP 25 registers as a normal node speaking versions 5 to 6 (it dials only 6).
    expect(info).toMatchObject({ name: alive, nodeType: NODE_TYPE.normal, highestVersion: 6 });
    expect((await epmdCommand(server.port, '-names')).out).toContain(`name ${alive} at port ${info!.port}`);
    expect(await erl.eval(`{ok, Names} = net_adm:names(), lists:member({"${alive}", ${info!.port}}, Names)`)).toBe('true');
  });

  it("refuses Erlang's epmd -kill and -stop while the node is registered", async () => {
    const kill = await epmdCommand(server.port, '-kill');
    expect(kill.out).toContain('Killing not allowed - living nodes in database.');
    expect(kill.code).not.toBe(0);
    const stop = await epmdCommand(server.port, '-stop', erl.name.split('@')[0]!);
    expect(stop.out).not.toContain('STOPPED');
    expect(server.names().map((n) => n.name)).toContain(erl.name.split('@')[0]);
  });
});

describe('which EPMD a kit node uses', () => {
  it.skipIf(erlangMissing)(`the one that answers on the port, when one does${skipNote}`, async () => {
    const epmd = await startRealEpmd();
    try {
      expect(await ensureEpmd({ port: epmd.port })).toBe('running');
    } finally {
      await epmd.stop();
    }
  });

  it("else the kit's own, started detached; it stops when told and nothing of it is left", async () => {
    const port = await freePort();
    expect(await ensureEpmd({ port })).toBe('started');
    const at = { host: '127.0.0.1', port };
    const daemon = () => liveKitProcesses().filter((p) => p.what === `the Erlang port mapper on port ${port}`);
    await waitFor(() => expect(daemon()).toHaveLength(1));
    const registration = await EpmdRegistration.register(at, kitNode('delta', 4005));
    expect(await killEpmd(at)).toBe('NO');
    registration.close();
    await waitFor(async () => expect((await listNames(at)).names).toEqual([]));
    expect(await killEpmd(at)).toBe('OK');
    await waitFor(async () => expect(await epmdAnswers(at)).toBe(false));
    await waitFor(() => expect(daemon()).toEqual([]));
  });
});
