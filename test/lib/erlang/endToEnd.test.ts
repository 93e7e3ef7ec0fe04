// The whole transport against a real `erl -sname` node, as a kit node in Erlang
// mode will use it: Erlang pings the kit node (pong: the kit's net_kernel answers
// is_auth), the kit dials Erlang and messages go both ways (to a registered process
// and back, to a kit name from Erlang, an rpc through Erlang's rex), monitors both
// ways get DOWN with their reasons, and noconnection when the connection goes: the
// kit closing it, or the erl node killed with -9.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genCall } from '../../../lib/erlang/genCall.ts';
import { Tuple, atom, tuple } from '../../../lib/erlang/terms.ts';
import { Pid, sameRef, type Ref } from '../../../lib/terms.ts';
import { waitFor } from '../../support/wait.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, startRealEpmd, type RealEpmd } from './support/erl.ts';
import { KitSide } from './support/kitSide.ts';

describe.skipIf(erlangMissing)(`a kit node and an erl node, end to end${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  let kit: KitSide;

  beforeAll(async () => {
    epmd = await startRealEpmd();
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'lonestar', probeDir: compileProbe() });
    kit = new KitSide('chris', 'lonestar');
    await kit.listen(epmd.port);
  });
  afterAll(async () => {
    await kit?.close();
    await erl?.stop();
    await epmd?.stop();
  });

  it("(a, d) Erlang dials the kit node: net_adm:ping is pong, because the kit's net_kernel answers {is_auth, Node} with yes", async () => {
    expect(await erl.eval(`net_adm:ping('${kit.name}')`)).toBe('pong');
    const call = await kit.next((a) => (a.control.op === 'regSend' && a.control.to === 'net_kernel' ? a.control : undefined), "net_kernel's is_auth call");
    expect(`${call.message}`).toMatch(/^\{:"\$gen_call", \{#PID<.*>, \[:alias \| #Reference<.*>\]\}, \{:is_auth, :.*\}\}$/);
    // gen:call watches {net_kernel, Node} by name while it waits: a node without one answers that monitor with noproc (pang).
    await kit.next((a) => (a.control.op === 'monitor' && a.control.to === 'net_kernel' ? true : undefined), 'the monitor of net_kernel by name');
    expect(kit.links.get(erl.name)).toBeDefined();
    // A node with another cookie is pang, as between two erl nodes.
    const stranger = new KitSide('stranger', 'another-cookie');
    try {
      await stranger.listen(epmd.port);
      expect(await erl.eval(`net_adm:ping('${stranger.name}')`)).toBe('pang');
    } finally {
      await stranger.close();
    }
  });

  it('(b, d) the kit sends to a registered erl process and gets the answer; Erlang sends to a name on the kit node', async () => {
    kit.linkTo(erl.name).close('to dial it now');
    await waitFor(async () => expect(await erl.eval(`lists:member('${kit.name}', nodes(hidden))`)).toBe('false'));
    const link = await kit.dial(erl.name, epmd.port);
    const me = kit.pid();
    const payload = { text: 'héllo', list: [1, 2.5, atom('x')], big: 2n ** 70n };
    link.send({ op: 'regSend', from: me, to: 'echo', message: tuple(atom('echo'), me, payload) });
    const echoed = await kit.next((a) => (a.control.op === 'send' && a.control.to.id === me.id ? a.control : undefined), 'the echo');
    expect(echoed.message).toStrictEqual(tuple(atom('echoed'), payload));
    expect(echoed.from?.node).toBe(erl.name);

    await erl.eval(`{kitbox, '${kit.name}'} ! {hello, self()}`);
    const named = await kit.next((a) => (a.control.op === 'regSend' && a.control.to === 'kitbox' ? a.control : undefined), 'the message to kitbox');
    expect((named.message as Tuple).elements[0]).toBe(atom('hello'));

    // rpc:call(Node, erlang, node, []) as the kit will make it: a gen:call to Erlang's rex.
    const tag = kit.ref();
    link.send({ op: 'regSend', from: me, to: 'rex', message: genCall(me, tag, tuple(atom('call'), atom('erlang'), atom('node'), [], me)) });
    const answer = await kit.next(
      (a) => (a.control.op === 'send' && a.control.message instanceof Tuple && sameRef(a.control.message.elements[0] as Ref, tag) ? a.control.message : undefined),
      "rex's answer",
    );
    expect(answer.elements[1]).toBe(atom(erl.name));
  });

  it('(c) monitors both ways: DOWN with the reason, and noconnection when the kit closes the connection', async () => {
    const link = kit.linkTo(erl.name);
    const me = kit.pid();
    // The kit watches an Erlang process that ends normally.
    link.send({ op: 'regSend', from: me, to: 'echo', message: tuple(atom('remember'), me, atom('watcher'), me) });
    await kit.next((a) => (a.control.op === 'send' && `${a.control.message}` === '{:remembered, :watcher}' ? true : undefined), 'remembered');
    await erl.eval('register(shortlived, spawn(fun() -> receive go -> ok end end))');
    const ref = kit.monitor(erl.name, me, 'shortlived');
    await waitFor(async () => expect(await erl.eval('element(2, process_info(whereis(shortlived), monitored_by)) =/= []')).toBe('true'));
    await erl.eval('shortlived ! go');
    await waitFor(() => expect(kit.downs.find((d) => sameRef(d.ref, ref))?.reason).toBe(atom('normal')));

    // An Erlang process watches a kit pid; the kit closes the connection: Erlang's DOWN says noconnection.
    await erl.eval(
      "spawn(fun() -> R = monitor(process, kit_probe:recall(watcher)), receive {'DOWN', R, process, _, Why} -> persistent_term:put({kit_probe, down}, Why) end end)",
    );
    await kit.next((a) => (a.control.op === 'monitor' && a.control.to instanceof Pid && a.control.to.id === me.id ? true : undefined), 'MONITOR_P');
    link.close();
    await waitFor(async () => expect(await erl.eval('persistent_term:get({kit_probe, down}, undefined)')).toBe('noconnection'));
  });

  it('(c) the erl node killed with -9: the connection is down at once, and the kit\'s monitor gets noconnection', async () => {
    const link = await kit.dial(erl.name, epmd.port);
    const me = kit.pid();
    await erl.eval('register(bystander, spawn(fun() -> receive never -> ok end end))');
    const ref = kit.monitor(erl.name, me, 'bystander');
    await waitFor(async () => expect(await erl.eval('element(2, process_info(whereis(bystander), monitored_by)) =/= []')).toBe('true'));
    await erl.kill9();
    await waitFor(() => expect(link.reason).toBe('the connection closed'));
    expect(kit.downs.find((d) => sameRef(d.ref, ref))?.reason).toBe('noconnection');
  });
});
