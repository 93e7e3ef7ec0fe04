// The codec: what crosses between nodes survives the trip; what cannot cross is
// refused at the sender with an error that names the value.
import { beforeAll, describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import {
  Atom, BitString, CodecError, ErlangFloat, ErlangOpaque, ImproperList, Node, Process, Ref, Tuple, atom, float, improperList, makeRef, receive, rpc, self, send, spawn, isPid, isRef,
  samePid, sameRef, termEquals, tuple,
} from '../../lib/index.ts';
import { fixture, startChild, startManager } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';

const app = fixture('app.ts');
let other: string;

beforeAll(async () => {
  await startManager();
  other = (await startChild('codec')).name;
  expect(await Node.connect(other)).toBe(true);
});

/** Sends `value` to the other node inside an rpc, which sends it back in a message. */
async function roundTrip(value: unknown): Promise<unknown> {
  await rpc.call(other, app, 'echoValue', [self(), value]);
  return ((await receive(undefined, 5_000)) as { value: unknown }).value;
}

describe('the codec', () => {
  it('Pid, Ref, Map, Set, bigint, Date, Uint8Array and nested plain data survive a trip there and back', () =>
    inProcess(async () => {
      const pid = self();
      const ref = makeRef();
      const value = {
        pid,
        ref,
        map: new Map<unknown, unknown>([['a', 1], [2, { deep: [new Set([1, 'two'])] }]]),
        set: new Set([1, 2, 3]),
        big: 12345678901234567890123n,
        date: new Date('2026-11-24T09:00:00.000Z'),
        bytes: new Uint8Array([0, 1, 254, 255]),
        nested: { list: [1, 'x', null, true, { y: [undefined] }], empty: {} },
        numbers: [NaN, Infinity, -Infinity, -0, 0.1],
        dollar: { $: 'looks like a tag', $$: 2 },
      };
      const back = (await roundTrip(value)) as typeof value;
      expect(back).toEqual(value);
      expect(isPid(back.pid) && samePid(back.pid, pid)).toBe(true);
      expect(isRef(back.ref) && sameRef(back.ref, ref)).toBe(true);
      expect(back.map).toBeInstanceOf(Map);
      expect(back.set).toBeInstanceOf(Set);
      expect(typeof back.big).toBe('bigint');
      expect(back.date).toBeInstanceOf(Date);
      expect(back.bytes).toBeInstanceOf(Uint8Array);
      expect(Object.is(back.numbers[3], -0)).toBe(true);
      // A pid that came back still reaches its process.
      send(back.pid, 'via the returned pid');
      expect(await receive((m) => m === 'via the returned pid', 1_000)).toBe('via the returned pid');
    }));

  it("Erlang's terms (atoms, tuples, whole floats, improper lists, bitstrings, ports, refs with words) cross as they are, and atoms stay one object", () =>
    inProcess(async () => {
      const value = {
        reply: tuple(atom('ok'), [float(1), 2.5, improperList([atom('a')], 'tail')]),
        bits: new BitString(new Uint8Array([0xf0]), 4),
        port: new ErlangOpaque('port', new Uint8Array([89, 1, 2, 3])),
        erlangRef: new Ref('erl@host', 5, 7, [1, 2, 3_000_000_000]),
      };
      const back = (await roundTrip(value)) as typeof value;
      expect(termEquals(back, value)).toBe(true);
      expect(back.reply).toBeInstanceOf(Tuple);
      expect(back.reply.elements[0]).toBe(atom('ok'));
      expect((back.reply.elements[1] as unknown[])[0]).toBeInstanceOf(ErlangFloat);
      expect((back.reply.elements[1] as unknown[])[2]).toBeInstanceOf(ImproperList);
      expect(back.bits).toBeInstanceOf(BitString);
      expect(back.port).toBeInstanceOf(ErlangOpaque);
      expect(back.erlangRef.words).toEqual([1, 2, 3_000_000_000]);
      // A local send copies through the same codec.
      send(self(), tuple(atom('local'), value.bits));
      const local = (await receive((m) => m instanceof Tuple, 1_000)) as Tuple;
      expect(local.elements[0]).toBeInstanceOf(Atom);
      expect(termEquals(local, tuple(atom('local'), value.bits))).toBe(true);
    }));

  it('an Error crosses with its name and message', () =>
    inProcess(async () => {
      const back = (await roundTrip(new RangeError('out of range'))) as Error;
      expect(back).toBeInstanceOf(Error);
      expect(back.name).toBe('RangeError');
      expect(back.message).toBe('out of range');
    }));

  it('a function or an unknown class instance is refused at the sender, naming where it sits', () =>
    inProcess(async () => {
      class Point {
        x = 1;
      }
      const target = spawn(() => receive());
      expect(() => send({ name: 'anything', node: other }, { handler: () => 1 })).toThrow(CodecError);
      expect(() => send({ name: 'anything', node: other }, { handler: () => 1 })).toThrow(/handler.*function|function.*handler/);
      expect(() => send(target, { at: [new Point()] })).toThrow(/Point/);
      expect(() => send(target, { at: [new Point()] })).toThrow(/at\[0\]|at\.0/);
      expect(() => send(target, Symbol('s'))).toThrow(CodecError);
      await expect(rpc.call(other, app, 'add', [() => 1, 2])).rejects.toThrow(CodecError);
      // Nothing was half-sent: the process got nothing and the connection is fine.
      expect(Process.info(target)?.messages).toEqual([]);
      expect(await rpc.call(other, app, 'add', [2, 3])).toBe(5);
    }));

  it('values made in another realm (the shell, a vm context) cross like those of this one', () =>
    inProcess(async () => {
      const foreign = runInNewContext("({ list: [1, { a: 'b' }], map: new Map([[1, 2]]), set: new Set(['x']), when: new Date(0), bytes: new Uint8Array([1]), err: new TypeError('t') })") as Record<string, unknown>;
      const back = (await roundTrip(foreign)) as Record<string, unknown>;
      expect(back.list).toEqual([1, { a: 'b' }]);
      expect(back.map).toEqual(new Map([[1, 2]]));
      expect(back.set).toEqual(new Set(['x']));
      expect(back.when).toEqual(new Date(0));
      expect(back.bytes).toEqual(new Uint8Array([1]));
      expect((back.err as Error).message).toBe('t');
      // A foreign class instance is still refused.
      expect(() => send(self(), runInNewContext('new (class Point { x = 1 })()'))).toThrow(CodecError);
    }));
});
