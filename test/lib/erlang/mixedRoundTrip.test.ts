// The term mapping through a kit process, with Erlang as the judge: this test
// process is a kit node in Erlang mode, and an ordinary kit process (spawned with
// the kit's API) echoes what an erl process sends it, with `receive` and `send`.
// fast-check writes each term in Erlang source; erl builds it from that text and
// sends it as the whole message, the kit process sends the whole message back, and
// erl compares (=:=, floats bit for bit). The terms include the shapes a node treats
// as GenServer's messages (gen_call with a plain or an [alias | Ref] tag, gen_cast,
// a {Ref, Reply}), which cross into the kit's GenServer protocol and back. And the
// other way: a kit process sends a value kit code built (atoms, tuples, ...), and erl
// checks it is the term the text says.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Node, Tuple, atom, isAtom, makeRef, receive, self, send, spawn, termEquals, tuple, type Pid } from '../../../lib/index.ts';
import { inProcess } from '../../support/inProcess.ts';
import { ErlNode, compileProbe, erlangMissing, skipNote, startRealEpmd, type RealEpmd } from './support/erl.ts';
import { remember } from './support/kitProcesses.ts';
import { anyTerm, type Sample } from './support/terms.ts';

/** The messages a node reads as GenServer's, around any term: X1 is an erl pid, X2 an erl ref. */
function genShapes(pool: readonly unknown[]): fc.Arbitrary<Sample> {
  const [pid, ref] = pool;
  return fc.tuple(anyTerm(pool), fc.constantFrom('call', 'aliasCall', 'cast', 'reply')).map(([t, kind]) => {
    switch (kind) {
      case 'call':
        return { value: tuple(atom('$gen_call'), tuple(pid, ref), t.value), source: `{'$gen_call', {X1, X2}, ${t.source}}` };
      case 'aliasCall':
        return { value: undefined, source: `{'$gen_call', {X1, [alias | X2]}, ${t.source}}` };
      case 'cast':
        return { value: tuple(atom('$gen_cast'), t.value), source: `{'$gen_cast', ${t.source}}` };
      default:
        return { value: tuple(ref, t.value), source: `{X2, ${t.source}}` };
    }
  });
}

const tagged = (tag: string) => (m: unknown): m is Tuple => m instanceof Tuple && isAtom(m.elements[0], tag);

describe.skipIf(erlangMissing)(`the term mapping through a kit process, judged by a real erl node${skipNote}`, () => {
  let epmd: RealEpmd;
  let erl: ErlNode;
  let echoer: Pid;
  let pool: unknown[];
  /** The erl node's verdicts, by question. */
  const waiting = new Map<number, (reply: Tuple) => void>();
  /** What the kit process sends for each question of the kit-to-Erlang direction. */
  const values = new Map<number, unknown>();
  let nextId = 1;

  /** Asks the erl node's `prop` (with the echoing kit process as the kit's side) and waits, with a bound, for its verdict. */
  function ask(id: number, question: Tuple): Promise<Tuple> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`no verdict on question ${id} from ${erl.name} within 10 s`));
      }, 10_000);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (isAtom(reply.elements[0], 'error')) reject(new Error(`${erl.name} could not judge question ${id}: ${String(reply.elements[2])}`));
        else resolve(reply);
      });
      send({ name: 'prop', node: erl.name }, question);
    });
  }

  beforeAll(async () => {
    epmd = await startRealEpmd();
    await Node.start({ sname: `kitecho${process.pid}` }, { cookie: 'roundtrip', dist: 'erlang', epmdPort: epmd.port });
    erl = await ErlNode.start({ epmdPort: epmd.port, cookie: 'roundtrip', probeDir: compileProbe() });
    // The kit process under test: it takes whatever comes and sends it back, whole.
    echoer = spawn(async () => {
      for (;;) {
        const head = await receive((m) => tagged('echo_to')(m) || tagged('send_to')(m) || tagged('verdict')(m) || tagged('error')(m));
        const [tag, id, to] = head.elements as [unknown, number, Pid];
        if (tag === atom('echo_to')) send(to, await receive());
        else if (tag === atom('send_to')) send(to, values.get(id));
        else waiting.get(id)?.(head);
      }
    });
    // Terms with no source form: an erl pid and ref first (the GenServer shapes use them), a port, funs, a kit pid and ref.
    pool = await inProcess(async () => {
      await remember(erl.name, 'me', self());
      await erl.eval('kit_probe:recall(me) ! {pool, [self(), make_ref(), hd(erlang:ports()), fun erlang:abs/1, fun(X) -> {X, 1} end]}');
      const sent = await receive(tagged('pool'), 10_000);
      return [...(sent.elements[1] as unknown[]), echoer, makeRef()];
    });
  });
  afterAll(async () => {
    await Node.stop();
    await erl?.stop();
    await epmd?.stop();
  });

  it('Erlang to a kit process and back: every term, GenServer-shaped ones included, returns =:= (floats bit for bit)', () =>
    inProcess(() =>
      fc.assert(
        fc.asyncProperty(fc.oneof({ arbitrary: anyTerm(pool), weight: 4 }, { arbitrary: genShapes(pool), weight: 1 }), async (sample) => {
          const id = nextId++;
          const verdict = await ask(id, tuple(atom('bare_from_erl'), echoer, id, sample.source, pool));
          expect(verdict.elements[2], `${erl.name} says ${sample.source} came back from the kit process as another term`).toBe(true);
        }),
        { numRuns: 500 },
      ),
    ));

  it('a value kit code built, sent by a kit process, is the term its Erlang source says', () =>
    inProcess(() =>
      fc.assert(
        fc.asyncProperty(anyTerm(pool), async (sample) => {
          const id = nextId++;
          values.set(id, sample.value);
          const verdict = await ask(id, tuple(atom('bare_from_kit'), echoer, id, sample.source, pool));
          values.delete(id);
          expect(verdict.elements[2], `${erl.name} read the kit's ${sample.source} as another term`).toBe(true);
          expect(termEquals(verdict.elements[3], sample.value)).toBe(true);
        }),
        { numRuns: 500 },
      ),
    ));
});
