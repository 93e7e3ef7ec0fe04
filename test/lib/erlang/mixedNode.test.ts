// A whole kit node in Erlang mode (this test process: Node.start(..., { dist: 'erlang' }))
// beside a real `erl -sname` node, through the library's own API: ping and connect both
// ways, messages both ways to pids and to {name, node}, monitors and links across the
// boundary with their reasons, GenServer calls both ways, rpc, and the harness's link
// policy (partitions, faults, traces) working on a connection of Erlang's protocol as on
// the kit's own.
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallError, GenServer, Node, Process, RpcError, Tuple, atom, isDown, isExit, receive, rpc, samePid, sameRef, self, send, spawn, termEquals, tuple,
  type DownMessage, type ExitMessage, type From, type Pid, type Ref,
} from '../../../lib/index.ts';
import { linkPolicy } from '../../../lib/internal.ts';
import { shortHostname } from '../../../lib/nodeName.ts';
import { inProcess } from '../../support/inProcess.ts';
import { waitFor } from '../../support/wait.ts';
import { ErlNode, compileProbe, erlangMissing, otpRelease, skipNote, startRealEpmd, type RealEpmd } from './support/erl.ts';
import { remember, settled } from './support/kitProcesses.ts';

const downOf = (ref: Ref) => (m: unknown): m is DownMessage => isDown(m) && sameRef(m.ref, ref);
const exitFrom = (pid: Pid) => (m: unknown): m is ExitMessage => isExit(m) && samePid(m.from, pid);
const tupleTagged = (tag: string) => (m: unknown): m is Tuple => m instanceof Tuple && m.elements[0] === atom(tag);

describe.skipIf(erlangMissing)(`a kit node in Erlang mode beside a real erl node (OTP ${erlangMissing ? '?' : otpRelease()})${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  let me: string;

  beforeAll(async () => {
    epmd = await startRealEpmd();
    me = await Node.start({ sname: `kitnode${process.pid}` }, { cookie: 'lonestar', dist: 'erlang', epmdPort: epmd.port });
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'lonestar', probeDir: compileProbe() });
  });
  afterAll(async () => {
    await Node.stop();
    await erl?.stop();
    await epmd?.stop();
  });

  it('Node.ping / net_adm:ping both ways is pong; Node.list() lists the erl node; Erlang sees the kit node hidden', async () => {
    expect(await Node.ping(erl.name)).toBe('pong');
    expect(Node.list()).toContain(erl.name);
    await waitFor(async () => expect(await erl.eval(`lists:member('${me}', nodes(hidden))`)).toBe('true'));
    expect(await erl.eval(`lists:member('${me}', nodes())`), 'hidden: not in nodes()').toBe('false');
    // The other way: Erlang dials the kit node, and the kit's net_kernel answers ping.
    expect(Node.disconnect(erl.name)).toBe(true);
    await waitFor(async () => expect(await erl.eval(`lists:member('${me}', nodes(connected))`)).toBe('false'));
    expect(await erl.eval(`net_adm:ping('${me}')`)).toBe('pong');
    await waitFor(() => expect(Node.list()).toContain(erl.name));
    expect(await Node.ping(`nobody${process.pid}@${shortHostname()}`)).toBe('pang');
  });

  it('a node with another cookie is pang both ways, as between two erl nodes', async () => {
    const stranger = await ErlNode.start({ epmdPort: epmd.port, cookie: 'another-cookie', probeDir: compileProbe() });
    try {
      expect(await Node.ping(stranger.name)).toBe('pang');
      expect(await stranger.eval(`net_adm:ping('${me}')`)).toBe('pang');
      expect(Node.list()).not.toContain(stranger.name);
    } finally {
      await stranger.stop();
    }
  });

  it('messages both ways, to pids and to {name, node}: a kit process with receive and send talks to erl processes', () =>
    inProcess(async () => {
      Process.register('kitbox');
      // Erlang to a name on the kit node, with the pid of its echo in it.
      await erl.eval(`{kitbox, '${me}'} ! {echo_is, whereis(echo), <<"from erl"/utf8>>}`);
      const hello = await receive(tupleTagged('echo_is'), 5_000);
      const [, echo, text] = hello.elements as [unknown, Pid, string];
      expect(text).toBe('from erl');
      // The kit to that pid (and to {echo, Node}); the echo answers the kit process's pid.
      const payload = { list: [1, 2.5, atom('x')], big: 2n ** 70n, text: 'héllo' };
      send(echo, tuple(atom('echo'), self(), payload));
      send({ name: 'echo', node: erl.name }, tuple(atom('echo'), self(), 'by name'));
      const first = await receive(tupleTagged('echoed'), 5_000);
      const second = await receive(tupleTagged('echoed'), 5_000);
      expect(termEquals(first.elements[1], payload)).toBe(true);
      expect(second.elements[1]).toBe('by name');
      Process.unregister('kitbox');
    }));

  it("a kit process monitors an erl process: DOWN with its reason, noproc for a name nobody holds; Erlang's monitor of a kit process gets the kit's reason", () =>
    inProcess(async () => {
      await erl.eval('register(victim, spawn(fun() -> receive {go, Why} -> exit(Why) end end))');
      const victim = await rpc.call<Pid>(erl.name, 'erlang', 'whereis', [atom('victim')]);
      const ref = Process.monitor(victim);
      await erl.eval('victim ! {go, {shutdown, tired}}');
      const down = await receive(downOf(ref), 5_000);
      expect(samePid(down.object as Pid, victim)).toBe(true);
      expect(termEquals(down.reason, tuple(atom('shutdown'), atom('tired')))).toBe(true);
      const none = Process.monitor({ name: 'nobody', node: erl.name });
      expect((await receive(downOf(none), 5_000)).reason).toBe('noproc');

      // The other way: an erl process monitors a kit process, which exits with 'tired'.
      const target = spawn(() => receive((m) => m === 'stop'));
      await remember(erl.name, 'target', target);
      await erl.eval("spawn(fun() -> R = monitor(process, kit_probe:recall(target)), receive {'DOWN', R, process, _, Why} -> persistent_term:put({kit_probe, down}, Why) end end), ok");
      await settled(erl.name);
      send(target, 'stop');
      await waitFor(async () => expect(await erl.eval('persistent_term:get({kit_probe, down}, waiting)')).toBe('normal'));
      const crasher = spawn(async () => {
        await receive((m) => m === 'crash');
        throw new TypeError('boom');
      });
      await remember(erl.name, 'crasher', crasher);
      await erl.eval("spawn(fun() -> R = monitor(process, kit_probe:recall(crasher)), receive {'DOWN', R, process, _, Why} -> persistent_term:put({kit_probe, crash}, Why) end end), ok");
      await settled(erl.name);
      send(crasher, 'crash');
      // A crash crosses as {error, <<"Name: message">>} (lib/erlang/reasons.ts).
      await waitFor(async () => expect(await erl.eval('persistent_term:get({kit_probe, crash}, waiting) =:= {error, <<"TypeError: boom">>}')).toBe('true'));
    }));

  it('an exit signal through a link, both ways; exit/2 both ways', () =>
    inProcess(async () => {
      // The kit links to an erl process and traps exits: it hears the erl process's reason.
      await erl.eval('register(partner, spawn(fun() -> receive {go, Why} -> exit(Why) end end))');
      const partner = await rpc.call<Pid>(erl.name, 'erlang', 'whereis', [atom('partner')]);
      Process.flag('trapExit', true);
      Process.link(partner);
      await erl.eval('partner ! {go, boom}');
      expect((await receive(exitFrom(partner), 5_000)).reason).toBe('boom');

      // An erl process traps exits and links to a kit process, which then exits with 'boom'.
      const linked = spawn(async () => {
        await receive((m) => m === 'die');
        Process.exitSelf('boom');
      });
      await remember(erl.name, 'linked', linked);
      await erl.eval("spawn(fun() -> process_flag(trap_exit, true), link(kit_probe:recall(linked)), persistent_term:put({kit_probe, linked}, yes), receive {'EXIT', _, Why} -> persistent_term:put({kit_probe, exit}, Why) end end), ok");
      await waitFor(async () => expect(await erl.eval('persistent_term:get({kit_probe, linked}, no)')).toBe('yes'));
      await settled(erl.name);
      send(linked, 'die');
      await waitFor(async () => expect(await erl.eval('persistent_term:get({kit_probe, exit}, waiting)')).toBe('boom'));

      // A kit process that does not trap exits dies with its erl partner.
      await erl.eval('register(partner2, spawn(fun() -> receive {go, Why} -> exit(Why) end end))');
      const partner2 = await rpc.call<Pid>(erl.name, 'erlang', 'whereis', [atom('partner2')]);
      const test = self();
      const dependant = spawn(async () => {
        Process.link(partner2);
        // The link went out before this round trip's request, so it is in place once the answer is here.
        await settled(erl.name);
        send(test, 'linked');
        await receive(() => false);
      });
      const watch = Process.monitor(dependant);
      await receive((m) => m === 'linked', 5_000);
      await erl.eval('partner2 ! {go, {bad, news}}');
      expect(termEquals((await receive(downOf(watch), 5_000)).reason, tuple(atom('bad'), atom('news')))).toBe(true);

      // exit/2: the kit kills an erl process; an erl process exits a kit process.
      await erl.eval('register(doomed, spawn(fun() -> receive never -> ok end end))');
      const doomed = await rpc.call<Pid>(erl.name, 'erlang', 'whereis', [atom('doomed')]);
      Process.exit(doomed, 'kill');
      await waitFor(async () => expect(await erl.eval('whereis(doomed)')).toBe('undefined'));
      const victim = spawn(() => receive(() => false));
      const victimWatch = Process.monitor(victim);
      await remember(erl.name, 'victim', victim);
      await erl.eval('exit(kit_probe:recall(victim), go_away)');
      expect((await receive(downOf(victimWatch), 5_000)).reason).toBe('go_away');
      Process.flag('trapExit', false);
    }));

  it("GenServer.call and cast from a kit process reach an Erlang gen_server; a call that stops it fails with its reason, one to nobody with noproc", () =>
    inProcess(async () => {
      expect(await erl.eval('element(1, kit_counter:start(counter))')).toBe('ok');
      const counter = { name: 'counter', node: erl.name };
      expect(termEquals(await GenServer.call(counter, tuple(atom('add'), 2)), tuple(atom('ok'), 2))).toBe(true);
      GenServer.cast(counter, tuple(atom('add'), 3));
      expect(await GenServer.call(counter, atom('total'))).toBe(5);
      const { replies, badNodes } = await GenServer.multiCall('counter', atom('total'), [erl.name, `nobody@${shortHostname()}`], 5_000);
      expect(replies.get(erl.name)).toBe(5);
      expect(badNodes).toEqual([`nobody@${shortHostname()}`]);
      const stopped = await GenServer.call(counter, tuple(atom('stop'), atom('enough'))).catch((err: unknown) => err);
      expect(stopped).toBeInstanceOf(CallError);
      expect((stopped as CallError).reason).toEqual({ exit: 'enough' });
      const none = await GenServer.call({ name: 'nobody', node: erl.name }, atom('total')).catch((err: unknown) => err);
      expect((none as CallError).reason).toBe('noproc');
    }));

  it('gen_server:call and cast from Erlang reach a kit GenServer, which replies at once or later (GenServer.reply)', async () => {
    let later: From | undefined;
    await GenServer.start(
      {
        name: 'Calculator',
        init: () => 0,
        handleCall(request: Tuple, from, total) {
          const [op, a, b] = request.elements as [unknown, number, number];
          if (op === atom('add')) return { reply: tuple(atom('ok'), a + b), state: total + 1 };
          if (op === atom('later')) {
            later = from;
            return { noreply: true, state: total };
          }
          return { reply: total, state: total };
        },
        handleCast: (msg: Tuple, total) => ({ noreply: true, state: total + (msg.elements[1] as number) }),
      },
      undefined,
      { name: 'calculator' },
    );
    expect(await erl.eval(`gen_server:call({calculator, '${me}'}, {add, 2, 3})`)).toBe('{ok,5}');
    expect(await erl.eval(`gen_server:cast({calculator, '${me}'}, {bump, 10})`)).toBe('ok');
    await waitFor(async () => expect(await erl.eval(`gen_server:call({calculator, '${me}'}, {count})`)).toBe('11'));
    const deferred = erl.eval(`gen_server:call({calculator, '${me}'}, {later, 0, 0})`);
    await waitFor(() => expect(later).toBeDefined());
    GenServer.reply(later as From, atom('at_last'));
    expect(await deferred).toBe('at_last');
    await expect(erl.eval(`gen_server:call({nobody, '${me}'}, hello)`)).rejects.toThrow(/noproc/);
    await GenServer.stop('calculator');
  });

  it("rpc.call from the kit reaches Erlang's rex (erlang:node/0 answers its name); Erlang reaches the kit's rex through gen_server", async () => {
    expect(await rpc.call(erl.name, 'erlang', 'node', [])).toBe(atom(erl.name));
    expect(await rpc.call(erl.name, 'lists', 'reverse', [[1, 2, 3]])).toEqual([3, 2, 1]);
    const raised = await rpc.call(erl.name, 'erlang', 'error', [atom('boom')]).catch((err: unknown) => err);
    expect(raised).toBeInstanceOf(RpcError);
    expect((raised as RpcError).reason).toBe('raised');
    expect(await erl.eval(`gen_server:call({rex, '${me}'}, {call, erlang, node, [], user}) =:= '${me}'`)).toBe('true');
    // A kit module by its specifier: node:os's hostname() answers with a string, a UTF-8 binary in Erlang.
    expect(await erl.eval(`gen_server:call({rex, '${me}'}, {call, 'node:os', hostname, [], user}) =:= <<"${hostname()}"/utf8>>`)).toBe('true');
    // OTP 25's rpc:call goes through erpc, which needs SPAWN (README.md: what the kit does not offer).
    expect(await erl.eval(`rpc:call('${me}', erlang, node, [])`)).toBe('{badrpc,notsup}');
  });

  it("partitions: the harness's policy refuses the erl node both ways and closes the connection; healed, it connects again", async () => {
    expect(await Node.ping(erl.name)).toBe('pong');
    linkPolicy.block([erl.name]);
    try {
      await waitFor(() => expect(Node.list()).not.toContain(erl.name));
      await waitFor(async () => expect(await erl.eval(`lists:member('${me}', nodes(connected))`)).toBe('false'));
      expect(await erl.eval(`net_adm:ping('${me}')`)).toBe('pang');
      expect(await Node.ping(erl.name)).toBe('pang');
    } finally {
      linkPolicy.unblock([erl.name]);
    }
    expect(await Node.ping(erl.name)).toBe('pong');
  });

  it('faults and traces: duplicated messages reach the erl node twice; the trace has the sends, the deliveries and the nodes coming and going', () =>
    inProcess(async () => {
      expect(await Node.ping(erl.name)).toBe('pong');
      linkPolicy.startTrace();
      try {
        linkPolicy.setFaults({ seed: 7, duplicate: 1, links: [[me, erl.name]] });
        send({ name: 'echo', node: erl.name }, tuple(atom('echo'), self(), 'twice'));
        await receive(tupleTagged('echoed'), 5_000);
        await receive(tupleTagged('echoed'), 5_000);
        linkPolicy.setFaults(undefined);
        Node.disconnect(erl.name);
        await waitFor(() => expect(Node.list()).not.toContain(erl.name));
        expect(await Node.ping(erl.name)).toBe('pong');
        const events = linkPolicy.takeTrace();
        const kinds = (kind: string) => events.filter((e) => e.kind === kind && e.peer === erl.name);
        expect(kinds('duplicate')[0]?.what).toMatch(/^echo: \{:echo, #PID<kitnode/);
        expect(kinds('deliver').filter((e) => /echoed/.test(e.what ?? '')).length).toBe(2);
        expect(kinds('nodedown').length).toBeGreaterThan(0);
        expect(kinds('nodeup').length).toBeGreaterThan(0);
      } finally {
        linkPolicy.setFaults(undefined);
        linkPolicy.stopTrace();
      }
    }));
});
