// The term mapping, with Erlang as the judge, over a real distribution connection.
// fast-check writes terms in Erlang source (with the JavaScript value the mapping
// gives each); the erl node builds every term itself from that text, so neither
// side's bytes come from the kit alone:
// - Erlang to the kit and back: erl sends the term, the kit decodes it (it must be
//   the value the mapping documents), sends it back, and erl compares (=:=, and
//   floats bit for bit);
// - the kit to Erlang and back: the kit sends its value, erl compares it with the
//   term the text builds and echoes it, and the kit decodes the same value again.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErlangLink } from '../../../lib/erlang/erlangLink.ts';
import { termEquals } from '../../../lib/erlang/termEquals.ts';
import { Tuple, atom, tuple } from '../../../lib/erlang/terms.ts';
import type { Pid } from '../../../lib/terms.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, startRealEpmd, type RealEpmd } from './support/erl.ts';
import { KitSide } from './support/kitSide.ts';
import { anyTerm } from './support/terms.ts';

describe.skipIf(erlangMissing)(`the term mapping, judged by a real erl node${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  let kit: KitSide;
  let link: ErlangLink;
  let me: Pid;
  let pool: unknown[];
  /** Replies from the erl node's prop process, by the id of the question. */
  const waiting = new Map<number, (reply: Tuple) => void>();
  let nextId = 1;

  /** Sends `message` to the erl node's `prop` and waits (with a bound) for the reply tagged with its id. */
  function ask(id: number, message: Tuple): Promise<Tuple> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`no reply to question ${id} from ${erl.name} within 5 s (connection: ${link.reason ?? 'up'})`));
      }, 5_000);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (reply.elements[0] === atom('error')) reject(new Error(`${erl.name} could not answer question ${id}: ${String(reply.elements[2])}`));
        else resolve(reply);
      });
      link.send({ op: 'regSend', from: me, to: 'prop', message });
    });
  }

  beforeAll(async () => {
    epmd = await startRealEpmd();
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'roundtrip', probeDir: compileProbe() });
    kit = new KitSide('roundtrip', 'roundtrip');
    link = await kit.dial(erl.name, epmd.port);
    me = kit.pid();
    link.on('control', (c) => {
      if (c.op !== 'send' || !(c.message instanceof Tuple)) return;
      const id = c.message.elements[1];
      if (typeof id === 'number') waiting.get(id)?.(c.message);
    });
    // Terms with no source form, made by the erl node (a pid, a ref, a port, funs) and by the kit.
    link.send({ op: 'regSend', from: me, to: 'echo', message: tuple(atom('remember'), me, atom('me'), me) });
    await kit.next((a) => (a.control.op === 'send' && `${a.control.message}` === '{:remembered, :me}' ? true : undefined), 'remembered');
    await erl.eval('kit_probe:recall(me) ! {pool, 0, [self(), make_ref(), hd(erlang:ports()), fun erlang:abs/1, fun(X) -> {X, 1} end]}');
    const sent = await kit.next((a) => (a.control.op === 'send' && `${a.control.message}`.startsWith('{:pool') ? a.control.message : undefined), 'the pool');
    pool = [...((sent as Tuple).elements[2] as unknown[]), kit.pid(), kit.ref()];
  });
  afterAll(async () => {
    await kit?.close();
    await erl?.stop();
    await epmd?.stop();
  });

  it('Erlang to the kit and back: each term decodes to its documented value and returns =:= (floats bit for bit)', async () => {
    await fc.assert(
      fc.asyncProperty(anyTerm(pool), async (sample) => {
        const id = nextId++;
        const [, , term] = (await ask(id, tuple(atom('from_erl'), me, id, sample.source, pool))).elements;
        expect(term).toStrictEqual(sample.value);
        const verdict = await ask(id, tuple(atom('echo_back'), me, id, term));
        expect(verdict.elements[2], `${erl.name} says the term came back different: ${sample.source}`).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('the kit to Erlang and back: each value is the term its source says, and comes back the same value', async () => {
    await fc.assert(
      fc.asyncProperty(anyTerm(pool), async (sample) => {
        const id = nextId++;
        const [, , same, back] = (await ask(id, tuple(atom('from_kit'), me, id, sample.source, sample.value, pool))).elements;
        expect(same, `${erl.name} read the kit's encoding of ${sample.source} as another term`).toBe(true);
        expect(back).toStrictEqual(sample.value);
        expect(termEquals(back, sample.value)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("an Erlang pid and ref that came to the kit still reach and name what they did on the erl node", async () => {
    const [erlPid, erlRef] = pool as [Pid, unknown];
    expect(erlPid.node).toBe(erl.name);
    // The pid works as a destination from the kit: the erl shell process that made the pool is gone, so use echo's.
    link.send({ op: 'regSend', from: me, to: 'echo', message: tuple(atom('remember'), me, atom('pool'), pool) });
    await kit.next((a) => (a.control.op === 'send' && `${a.control.message}` === '{:remembered, :pool}' ? true : undefined), 'remembered pool');
    expect(await erl.eval('[P, R | _] = kit_probe:recall(pool), {is_pid(P), node(P) =:= node(), is_reference(R), node(R) =:= node()}')).toBe('{true,true,true,true}');
    expect(erlRef).toBeDefined();
    expect(await erl.eval(`lists:nth(6, kit_probe:recall(pool)) =:= kit_probe:recall(me) orelse node(lists:nth(6, kit_probe:recall(pool))) =:= '${kit.name}'`)).toBe('true');
  });
});
