// `distsys shell --dist erlang` beside a real erl node, typed as an attendee would:
// the shell says it speaks Erlang's distribution, pings the erl node and is pinged by
// it, sends to a registered erl process with Erlang's terms and flushes the answer.
// A --dist that is neither protocol is a clear usage error. (Skipped with its reason
// where Erlang/OTP is missing.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { Shell } from '../support/shell.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, startRealEpmd, type RealEpmd } from '../lib/erlang/support/erl.ts';

const BIN = new URL('../../bin/distsys.js', import.meta.url).pathname;

describe.skipIf(erlangMissing)(`distsys shell --dist erlang${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  let shell: Shell | undefined;

  beforeAll(async () => {
    epmd = await startRealEpmd();
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'lonestar', probeDir: compileProbe() });
  });
  afterAll(async () => {
    shell?.kill();
    await erl?.stop();
    await epmd?.stop();
  });

  it('pings and is pinged by an erl node, and talks to its processes with atoms and tuples', async () => {
    // The cookie in the environment, as the kit hands it to the nodes it starts (never on a command line).
    shell = await Shell.start(['--sname', `chris${process.pid}`, '--dist', 'erlang'], { DISTSYS_COOKIE: 'lonestar', ERL_EPMD_PORT: String(epmd.port) });
    expect(shell.printed).toContain("It speaks Erlang's distribution");
    expect(await shell.type(`await Node.ping('${erl.name}')`)).toBe("'pong'");
    expect(await shell.type('Node.list()')).toBe(`[ '${erl.name}' ]`);
    expect(await erl.eval(`net_adm:ping('${shell.name}')`)).toBe('pong');
    // A tuple prints as iex prints it.
    expect(await shell.type(`send({ name: 'echo', node: '${erl.name}' }, tuple(atom('echo'), self(), 'hi'))`)).toMatch(/^\{:echo, #PID<chris\d+@\S+>, 'hi'\}$/);
    await expect.poll(async () => (shell as Shell).type('Process.info(self()).messages.length'), { timeout: 5_000 }).toBe('1');
    expect(await shell.type('flush()')).toBe("{:echoed, 'hi'}");
    expect(await shell.close()).toBe(0);
    shell = undefined;
  });

  it('a --dist that is neither protocol is a usage error that names both', async () => {
    const bad = await execa(process.execPath, [BIN, 'shell', '--sname', 'x', '--dist', 'beam'], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--dist beam: the protocol is erlang .* or kit/);
  });
});
