// The connection after the handshake, against a real erl node: ticks keep an idle
// connection up and find a silent peer; links, unlinks (the new link protocol),
// exit signals and monitors cross both ways as the control messages OTP 25 sends
// and expects. Without Erlang: a frame the kit cannot read closes that connection,
// saying why, and nothing else.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Control } from '../../../lib/erlang/control.ts';
import { startErlangEpmdServer, type ErlangEpmdServer } from '../../../lib/erlang/epmdServer.ts';
import { KIT_FLAGS } from '../../../lib/erlang/flags.ts';
import { lookupNode } from '../../../lib/erlang/epmdClient.ts';
import { dialHandshake } from '../../../lib/erlang/handshake.ts';
import { packet } from '../../../lib/erlang/packets.ts';
import { reasonToErlang } from '../../../lib/erlang/reasons.ts';
import { atom, tuple } from '../../../lib/erlang/terms.ts';
import { Pid, sameRef } from '../../../lib/terms.ts';
import { freePort } from '../../support/globalSetup.ts';
import { waitFor } from '../../support/wait.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, startRealEpmd, type RealEpmd } from './support/erl.ts';
import { KitSide } from './support/kitSide.ts';

type Of<K extends Control['op']> = Extract<Control, { op: K }>;
const arrived =
  <K extends Control['op']>(op: K, test: (c: Of<K>) => boolean = () => true) =>
  (a: { control: Control }): Of<K> | undefined =>
    a.control.op === op && test(a.control as Of<K>) ? (a.control as Of<K>) : undefined;

describe.skipIf(erlangMissing)(`ticks${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  let kit: KitSide;
  beforeAll(async () => {
    epmd = await startRealEpmd();
    // net_ticktime 2: Erlang ticks every half second and drops a peer silent for 2 s.
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'ticks', tickTimeSec: 2, probeDir: compileProbe() });
    kit = new KitSide('ticker', 'ticks', { tickTimeMs: 2_000 });
  });
  afterAll(async () => {
    await kit?.close();
    erl?.resume();
    await erl?.stop();
    await epmd?.stop();
  });

  it('an idle connection stays up on both sides: each ticks, for longer than either tick time', async () => {
    const link = await kit.dial(erl.name, epmd.port);
    // Eight ticks each way is four seconds of silence otherwise: twice the tick time of both sides.
    let onClose: (reason: string) => void = () => {};
    const dropped = new Promise<never>((_, reject) => {
      onClose = (reason) => reject(new Error(`the idle connection was dropped after ${link.stats.ticksOut} ticks sent, ${link.stats.ticksIn} received: ${reason}`));
      link.once('close', onClose);
    });
    try {
      await Promise.race([
        dropped,
        waitFor(() => {
          expect(link.stats.ticksIn).toBeGreaterThanOrEqual(8);
          expect(link.stats.ticksOut).toBeGreaterThanOrEqual(8);
        }, 20_000),
      ]);
    } finally {
      link.off('close', onClose);
    }
    expect(link.reason).toBeUndefined();
    expect(await erl.eval(`lists:member('${kit.name}', nodes(hidden))`)).toBe('true'); // up for seconds by now
  });

  it('a peer that falls silent (stopped, not dead: its socket stays open) is down within the tick time', async () => {
    const link = kit.linkTo(erl.name);
    erl.pause();
    await waitFor(() => expect(link.reason).toMatch(/no tick or message from .* for \d+ ms \(the tick time\)/), 10_000);
    erl.resume();
  });
});

describe.skipIf(erlangMissing)(`control messages with an erl node${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  let kit: KitSide;
  let me: Pid;

  beforeAll(async () => {
    epmd = await startRealEpmd();
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'signals', probeDir: compileProbe() });
    kit = new KitSide('signals', 'signals');
    await kit.dial(erl.name, epmd.port);
    me = kit.pid();
  });
  afterAll(async () => {
    await kit?.close();
    await erl?.stop();
    await epmd?.stop();
  });

  /** Hands `term` to the erl node, where kit_probe:recall(Key) gives it back to an expression. */
  async function remember(key: string, term: unknown): Promise<void> {
    kit.linkTo(erl.name).send({ op: 'regSend', from: me, to: 'echo', message: tuple(atom('remember'), me, atom(key), term) });
    await kit.next(arrived('send', (c) => `${c.message}` === `{:remembered, :${key}}`), `the node remembering ${key}`);
  }

  /** Waits until the expression (which gives undefined until then) has a value on the erl node. */
  const eventually = (expr: string) =>
    waitFor(async () => {
      const value = await erl.eval(expr);
      if (value === 'undefined') throw new Error(`${expr} is still undefined`);
      return value;
    });

  it('an Erlang process links to a kit pid, and exit signals cross the link both ways', async () => {
    const k = kit.pid();
    await remember('k1', k);
    await erl.eval(
      "register(linker, spawn(fun() -> process_flag(trap_exit, true), K = kit_probe:recall(k1), link(K), receive {'EXIT', K, R} -> persistent_term:put({kit_probe, got1}, R) end end))",
    );
    const link = await kit.next(arrived('link', (c) => c.to.id === k.id), 'LINK from the erl process');
    expect(link.from.node).toBe(erl.name);
    kit.linkTo(erl.name).send({ op: 'exit', from: k, to: link.from, reason: reasonToErlang('shutdown') });
    expect(await eventually('persistent_term:get({kit_probe, got1}, undefined)')).toBe('shutdown');

    // The other way: a kit pid links to an Erlang process that then exits.
    const k2 = kit.pid();
    await remember('k2', k2);
    await erl.eval("register(leaver, spawn(fun() -> receive go -> exit({bye, 1}) end end))");
    // The leaver's pid reaches the kit inside a message.
    await erl.eval("spawn(fun() -> kit_probe:recall(k2) ! {leaver, whereis(leaver)} end)");
    const told = await kit.next(arrived('send', (c) => c.to.id === k2.id && `${c.message}`.startsWith('{:leaver')), 'the leaver pid');
    const target = (told.message as { elements: unknown[] }).elements[1] as Pid;
    kit.linkTo(erl.name).send({ op: 'link', from: k2, to: target });
    await waitFor(async () => expect(await erl.eval(`lists:member(kit_probe:recall(k2), element(2, process_info(whereis(leaver), links)))`)).toBe('true'));
    await erl.eval('leaver ! go');
    const exit = await kit.next(arrived('exit', (c) => c.to.id === k2.id), 'the EXIT of the leaver');
    expect(exit.reason).toStrictEqual(tuple(atom('bye'), 1));
  });

  it('unlinking follows the new link protocol: each UNLINK_ID is acknowledged with its id', async () => {
    const k = kit.pid();
    await remember('k3', k);
    await erl.eval("register(unlinker, spawn(fun() -> K = kit_probe:recall(k3), link(K), receive go -> unlink(K) end, receive stop -> ok end end))");
    const link = await kit.next(arrived('link', (c) => c.to.id === k.id), 'LINK');
    await erl.eval('unlinker ! go');
    const unlink = await kit.next(arrived('unlinkId', (c) => c.to.id === k.id), 'UNLINK_ID');
    expect(unlink.id).toBeGreaterThan(0n);
    expect(unlink.from.id).toBe(link.from.id);
    kit.linkTo(erl.name).send({ op: 'unlinkIdAck', id: unlink.id, from: k, to: unlink.from });
    // And the kit unlinking: Erlang acknowledges the kit's id.
    kit.linkTo(erl.name).send({ op: 'link', from: k, to: unlink.from });
    await waitFor(async () => expect(await erl.eval('lists:member(kit_probe:recall(k3), element(2, process_info(whereis(unlinker), links)))')).toBe('true'));
    kit.linkTo(erl.name).send({ op: 'unlinkId', id: 77n, from: k, to: unlink.from });
    const ack = await kit.next(arrived('unlinkIdAck', (c) => c.id === 77n), 'UNLINK_ID_ACK 77');
    expect(ack.to.id).toBe(k.id);
    expect(await erl.eval('lists:member(kit_probe:recall(k3), element(2, process_info(whereis(unlinker), links)))')).toBe('false');
    await erl.eval('unlinker ! stop');
  });

  it('an Erlang process monitors a kit pid (and a kit name) and gets DOWN with the reason the kit gives; demonitor crosses too', async () => {
    const k = kit.pid();
    await remember('k4', k);
    await erl.eval(
      "spawn(fun() -> R = monitor(process, kit_probe:recall(k4)), receive {'DOWN', R, process, _, Why} -> persistent_term:put({kit_probe, down4}, Why) end end)",
    );
    const mon = await kit.next(arrived('monitor', (c) => c.to instanceof Pid && c.to.id === k.id), 'MONITOR_P');
    kit.linkTo(erl.name).send({ op: 'monitorExit', from: k, to: mon.from, ref: mon.ref, reason: tuple(atom('shutdown'), 'bye') });
    expect(await eventually('persistent_term:get({kit_probe, down4}, undefined)')).toBe('{shutdown,<<98,121,101>>}');

    await erl.eval(
      `spawn(fun() -> R = monitor(process, {kitproc, '${kit.name}'}), receive {'DOWN', R, process, Obj, Why} -> persistent_term:put({kit_probe, down5}, {Obj, Why}) end end)`,
    );
    const byName = await kit.next(arrived('monitor', (c) => c.to === 'kitproc'), 'MONITOR_P by name');
    kit.linkTo(erl.name).send({ op: 'monitorExit', from: 'kitproc', to: byName.from, ref: byName.ref, reason: atom('noproc') });
    expect(await eventually(`case persistent_term:get({kit_probe, down5}, undefined) of undefined -> undefined; D -> D =:= {{kitproc, '${kit.name}'}, noproc} end`)).toBe('true');

    await erl.eval("spawn(fun() -> R = monitor(process, kit_probe:recall(k4)), demonitor(R) end)");
    const first = await kit.next(arrived('monitor', (c) => c.to instanceof Pid && c.to.id === k.id && !sameRef(c.ref, mon.ref)), 'the second MONITOR_P');
    const demon = await kit.next(arrived('demonitor', (c) => sameRef(c.ref, first.ref)), 'DEMONITOR_P');
    expect(demon.from.id).toBe(first.from.id);
  });

  it('a kit pid monitors an Erlang process: DOWN with its reason, and noproc for one already gone', async () => {
    const k = kit.pid();
    await remember('k6', k);
    await erl.eval("register(victim, spawn(fun() -> receive stop -> exit({done, 42}) end end))");
    const ref = kit.monitor(erl.name, k, 'victim');
    await waitFor(async () => expect(await erl.eval("element(2, process_info(whereis(victim), monitored_by)) =/= []")).toBe('true'));
    kit.linkTo(erl.name).send({ op: 'regSend', from: k, to: 'victim', message: atom('stop') });
    await waitFor(() => expect(kit.downs.find((d) => d.ref === ref)?.reason).toStrictEqual(tuple(atom('done'), 42)));
    const gone = kit.monitor(erl.name, k, 'victim');
    await waitFor(() => expect(kit.downs.find((d) => d.ref === gone)?.reason).toBe(atom('noproc')));
  });

  it('exit/2 crosses both ways: Erlang kills a kit pid, the kit kills an Erlang process', async () => {
    const k = kit.pid();
    await remember('k7', k);
    await erl.eval('exit(kit_probe:recall(k7), kill)');
    const exit2 = await kit.next(arrived('exit2', (c) => c.to.id === k.id), 'EXIT2');
    expect(exit2.reason).toBe(atom('kill'));
    await erl.eval("register(target, spawn(fun() -> receive never -> ok end end)), persistent_term:put({kit_probe, target}, whereis(target))");
    await erl.eval("spawn(fun() -> kit_probe:recall(k7) ! {target, kit_probe:recall(target)} end)");
    const told = await kit.next(arrived('send', (c) => c.to.id === k.id && `${c.message}`.startsWith('{:target')), 'the target pid');
    const target = (told.message as { elements: unknown[] }).elements[1] as Pid;
    kit.linkTo(erl.name).send({ op: 'exit2', from: k, to: target, reason: atom('kill') });
    await waitFor(async () => expect(await erl.eval("is_process_alive(kit_probe:recall(target))")).toBe('false'));
  });
});

describe('a frame the kit cannot read (no Erlang needed)', () => {
  let epmd: ErlangEpmdServer;
  beforeAll(async () => {
    epmd = await startErlangEpmdServer({ port: await freePort() });
  });
  afterAll(async () => {
    await epmd?.close();
  });

  it('controls() hands out what arrives, in order, and ends when the connection does; send() after the end is false', async () => {
    const a = new KitSide('iterA', 'iter');
    const b = new KitSide('iterB', 'iter');
    try {
      await a.listen(epmd.port);
      const out = await b.dial(a.name, epmd.port);
      const into = await waitFor(() => a.linkTo(b.name));
      const from = b.pid();
      for (let i = 1; i <= 3; i++) out.send({ op: 'send', from, to: new Pid(a.name, 9, a.creation), message: i });
      const seen: unknown[] = [];
      for await (const c of into.controls()) {
        if (c.op === 'send') seen.push(c.message);
        if (seen.length === 3) out.close('done');
      }
      expect(seen).toEqual([1, 2, 3]);
      expect(into.reason).toBe('the connection closed');
      expect(out.send({ op: 'send', to: from, message: 'late' })).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  const bad: Array<[string, Buffer, RegExp]> = [
    ['a term that does not decode', packet(4, Buffer.from([112, 131, 99])), /bad frame from raw.*truncated/],
    ['a distribution header never negotiated', packet(4, Buffer.from([131, 68, 0])), /distribution header/],
    ['a control message the kit does not take (SPAWN_REQUEST)', packet(4, Buffer.from([112, 131, 104, 1, 97, 29])), /control message 29 is not one the kit takes/],
    ['a frame longer than the limit', Buffer.from([0x7f, 0xff, 0xff, 0xff]), /over the \d+-byte limit/],
  ];
  for (const [what, frame, reason] of bad) {
    it(`${what}: that connection closes, saying why`, async () => {
      const kit = new KitSide('strict', 'frames', { maxFrameBytes: 1024 * 1024 });
      try {
        await kit.listen(epmd.port);
        const info = await lookupNode({ host: '127.0.0.1', port: epmd.port }, kit.name.split('@')[0]!);
        const socket = connect(info!.port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        const done = await dialHandshake(socket, { name: 'raw@127.0.0.1', cookie: 'frames', creation: 5, flags: KIT_FLAGS, peer: kit.name }, 1024);
        expect(done.peer.name).toBe(kit.name);
        const closed = new Promise((resolve) => socket.once('close', resolve));
        socket.write(frame);
        await closed;
        await waitFor(() => expect(kit.closes.map((c) => c.reason).join('\n')).toMatch(reason));
        expect(kit.links.size).toBe(0);
        expect(kit.arrivals).toEqual([]);
      } finally {
        await kit.close();
      }
    });
  }
});
