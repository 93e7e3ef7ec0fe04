// Erlang's distribution handshake, both ways, against OTP (25 on the kit's machine):
// the kit dials an erl node and is dialled by one, with the flags OTP requires, and
// a cookie that differs keeps both ways shut. The kit node is hidden unless asked to
// be visible. Without Erlang: a peer that lacks the mandatory flags, or is no Erlang
// node at all, is refused, and two kit nodes speak the protocol to each other.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErlangEpmdServer, type ErlangEpmdServer } from '../../../lib/erlang/epmdServer.ts';
import { ErlangLink } from '../../../lib/erlang/erlangLink.ts';
import { DFLAG, MANDATORY_25, flagNames } from '../../../lib/erlang/flags.ts';
import { sendName } from '../../../lib/erlang/handshakeMessages.ts';
import { listenErlang } from '../../../lib/erlang/listener.ts';
import { packet } from '../../../lib/erlang/packets.ts';
import { atom, tuple } from '../../../lib/erlang/terms.ts';
import { freePort } from '../../support/globalSetup.ts';
import { waitFor } from '../../support/wait.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, otpRelease, startRealEpmd, type RealEpmd } from './support/erl.ts';
import { KitSide } from './support/kitSide.ts';

describe.skipIf(erlangMissing)(`the handshake with a real erl node${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  const sides: KitSide[] = [];
  const side = (prefix: string, cookie = 'handshake', visible = false) => {
    const s = new KitSide(prefix, cookie, { visible });
    sides.push(s);
    return s;
  };

  beforeAll(async () => {
    epmd = await startRealEpmd();
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'handshake', probeDir: compileProbe() });
  });
  afterAll(async () => {
    for (const s of sides) await s.close();
    await erl?.stop();
    await epmd?.stop();
  });

  it(`dials an erl node (OTP ${erlangMissing ? '?' : otpRelease()}) with version 6 and the flags OTP requires; hidden, it is in nodes(hidden) only`, async () => {
    const kit = side('dialler');
    const link = await kit.dial(erl.name, epmd.port);
    expect(link.peer.name).toBe(erl.name);
    expect(link.peer.creation).toBeGreaterThan(0);
    // Everything OTP 25 makes mandatory, what OTP 26 and 27 add, and nothing that would need a distribution header.
    expect(link.flags & MANDATORY_25).toBe(MANDATORY_25);
    const used = flagNames(link.flags);
    expect(used).toEqual(expect.arrayContaining(['UNLINK_ID', 'V4_NC', 'MANDATORY_25_DIGEST', 'SEND_SENDER', 'EXIT_PAYLOAD', 'DIST_MONITOR', 'DIST_MONITOR_NAME']));
    for (const absent of ['DIST_HDR_ATOM_CACHE', 'FRAGMENTS', 'ALIAS', 'SPAWN', 'PUBLISHED']) expect(used).not.toContain(absent);
    // Erlang's net_kernel takes the connection up a moment after its challenge_ack.
    await waitFor(async () => expect(await erl.eval(`lists:member('${kit.name}', nodes(hidden))`)).toBe('true'));
    expect(await erl.eval(`lists:member('${kit.name}', nodes())`)).toBe('false');
  });

  it('is dialled by an erl node: net_kernel:connect_node/1 is true and the link arrives', async () => {
    const kit = side('acceptor');
    await kit.listen(epmd.port);
    expect(await erl.eval(`net_kernel:connect_node('${kit.name}')`)).toBe('true');
    await waitFor(() => expect(kit.links.get(erl.name)?.peer.name).toBe(erl.name));
    await waitFor(async () => expect(await erl.eval(`lists:member('${kit.name}', nodes(hidden))`)).toBe('true'));
  });

  it('a cookie that differs keeps the connection shut both ways, and says why', async () => {
    const kit = side('stranger', 'not-the-cookie');
    await expect(kit.dial(erl.name, epmd.port)).rejects.toThrow(/did not accept this node's cookie/);
    await kit.listen(epmd.port);
    expect(await erl.eval(`net_kernel:connect_node('${kit.name}')`)).toBe('false');
    await waitFor(() => expect(kit.refused.join('\n')).toMatch(/did not prove the cookie/));
    expect(kit.links.size).toBe(0);
  });

  it("visible, it is in nodes(), and Erlang's global then expects it to answer (which a kit node must do, or stay hidden)", async () => {
    const kit = side('visible', 'handshake', true);
    const link = await kit.dial(erl.name, epmd.port);
    expect(flagNames(link.flags)).toContain('PUBLISHED');
    await waitFor(async () => expect(await erl.eval(`lists:member('${kit.name}', nodes())`)).toBe('true'));
    // What OTP 25 sends a visible node at once: global's init_connect (and rex's features_request).
    await kit.next((a) => (a.control.op === 'regSend' && a.control.to === 'global_name_server' ? a : undefined), "global's init_connect");
  });
});

describe('the handshake, without Erlang', () => {
  let epmd: ErlangEpmdServer;
  beforeAll(async () => {
    epmd = await startErlangEpmdServer({ port: await freePort() });
  });
  afterAll(async () => {
    await epmd?.close();
  });

  /** Writes `bytes` to a listener on `port` and resolves with what came back once it closed the connection. */
  function poke(port: number, bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect(port, '127.0.0.1');
      const got: Buffer[] = [];
      socket.on('data', (d) => got.push(d));
      socket.on('close', () => resolve(Buffer.concat(got)));
      socket.on('error', reject);
      socket.write(bytes);
    });
  }

  it('refuses a peer that lacks the flags OTP 25 makes mandatory, naming them', async () => {
    const refused: string[] = [];
    const listener = await listenErlang({ name: 'strict@127.0.0.1', cookie: 'c', creation: 1, host: '127.0.0.1', onLink: () => {}, onRefused: (r) => refused.push(r) });
    try {
      const hello = sendName({ flags: DFLAG.HANDSHAKE_23 | DFLAG.UTF8_ATOMS, creation: 1, name: 'old@127.0.0.1' });
      expect((await poke(listener.port, packet(2, hello))).length).toBe(0);
      await waitFor(() => expect(refused.join('\n')).toMatch(/old@127\.0\.0\.1 lacks the distribution flags OTP 25 requires: EXTENDED_REFERENCES/));
    } finally {
      await listener.close();
    }
  });

  it('closes a connection that is no Erlang node (a web page\'s request) at once, without an answer', async () => {
    const refused: string[] = [];
    const listener = await listenErlang({ name: 'web@127.0.0.1', cookie: 'c', creation: 1, host: '127.0.0.1', onLink: () => {}, onRefused: (r) => refused.push(r) });
    try {
      const answer = await poke(listener.port, Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n\r\n'));
      expect(answer.length).toBe(0);
      await waitFor(() => expect(refused.join('\n')).toMatch(/over the 2048-byte limit/));
    } finally {
      await listener.close();
    }
  });

  it('a flood of connections that never finish their handshake closes the oldest, and a real node still gets in', async () => {
    const refused: string[] = [];
    let linked = 0;
    const listener = await listenErlang({ name: 'door@127.0.0.1', cookie: 'door', creation: 1, host: '127.0.0.1', maxPending: 4, onLink: () => linked++, onRefused: (r) => refused.push(r) });
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const socket = connect(listener.port, '127.0.0.1');
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        idle.push(socket);
      }
      await waitFor(() => expect(refused.filter((r) => /oldest is closed/.test(r))).toHaveLength(2));
      const link = await ErlangLink.connect('door@127.0.0.1', { name: 'guest@127.0.0.1', cookie: 'door', creation: 2, port: listener.port });
      await waitFor(() => expect(linked).toBe(1));
      link.close();
    } finally {
      for (const s of idle) s.destroy();
      await listener.close();
    }
  });

  it("two kit nodes speak Erlang's protocol to each other; a node that says nok turns a dialler away", async () => {
    const a = new KitSide('kitA', 'pair');
    const b = new KitSide('kitB', 'pair');
    try {
      await a.listen(epmd.port);
      const link = await b.dial(a.name, epmd.port);
      const from = b.pid();
      link.send({ op: 'regSend', from, to: 'anyone', message: tuple(atom('hello'), 'from b') });
      const got = await a.next((x) => (x.control.op === 'regSend' ? x.control : undefined), 'the message from b');
      expect(got).toMatchObject({ to: 'anyone', message: tuple(atom('hello'), 'from b') });
      expect(got.from.node).toBe(b.name);
    } finally {
      await a.close();
      await b.close();
    }
    const refused: string[] = [];
    const busy = await listenErlang({ name: 'busy@127.0.0.1', cookie: 'pair', creation: 1, host: '127.0.0.1', admit: () => 'nok', onLink: () => {}, onRefused: (r) => refused.push(r) });
    try {
      await expect(ErlangLink.connect('busy@127.0.0.1', { name: 'dialler@127.0.0.1', cookie: 'pair', creation: 2, port: busy.port })).rejects.toThrow(/refused the connection \(status nok\)/);
    } finally {
      await busy.close();
    }
  });
});
