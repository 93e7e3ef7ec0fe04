// The external term format codec on its own (no Erlang needed): the term mapping
// round-trips, values that mean the same term compare equal, what has no Erlang
// form is refused at the sender naming where it sits, and what a peer could send
// to hurt a node (lengths that lie, endless nesting, an atom cache never agreed on)
// is refused with a clear error before anything is allocated for it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyTerm } from '../../../lib/codec.ts';
import { decodeTerm } from '../../../lib/erlang/etfDecode.ts';
import { encodeTerm } from '../../../lib/erlang/etfEncode.ts';
import { ErlangCodecError } from '../../../lib/erlang/etfTags.ts';
import { refFromWords } from '../../../lib/erlang/nodeIds.ts';
import { termEquals } from '../../../lib/erlang/termEquals.ts';
import { BitString, ErlangFloat, ErlangOpaque, ImproperList, Tuple, atom, float, improperList, tuple } from '../../../lib/erlang/terms.ts';
import { Pid, Ref, samePid, sameRef } from '../../../lib/terms.ts';
import { anyTerm } from './support/terms.ts';

const roundTrip = (v: unknown) => decodeTerm(encodeTerm(v));
/** A ref as decoding an Erlang node's makes it: its id derived from its words. */
const erlangRef = (node: string, creation: number, words: number[]) => new Ref(node, refFromWords(words).id, creation, words);
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('the term mapping', () => {
  it('every canonical value decodes back to itself, and encodes to the same bytes again', () => {
    const pool = [new Pid('kit@host', 42, 7), new Pid('erl@host', 2 ** 40 + 5, 3), new Ref('kit@host', 99, 7), erlangRef('erl@host', 9, [1, 2, 3000000000])];
    fc.assert(
      fc.property(anyTerm(pool), ({ value }) => {
        const bytes = encodeTerm(value);
        const back = decodeTerm(bytes);
        expect(back).toStrictEqual(value);
        expect(termEquals(back, value)).toBe(true);
        expect(encodeTerm(back).equals(bytes)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('atoms are interned, and true, false, nil and undefined are JavaScript values', () => {
    expect(atom('ok')).toBe(atom('ok'));
    expect(roundTrip(atom('ok'))).toBe(atom('ok'));
    expect(roundTrip(tuple(true, false, null, undefined))).toStrictEqual(tuple(true, false, null, undefined));
    // {ok, true} as term_to_binary(T, [{minor_version, 2}]) writes it
    expect(decodeTerm(hex('83 68 02 77 02 6f6b 77 04 74727565'))).toStrictEqual(tuple(atom('ok'), true));
    expect(encodeTerm(tuple(atom('ok'), true)).equals(hex('83 68 02 77 02 6f6b 77 04 74727565'))).toBe(true);
  });

  it('a float with a whole value stays a float (1.0 is not 1), and so does -0.0', () => {
    expect(roundTrip(float(1))).toBeInstanceOf(ErlangFloat);
    expect(termEquals(roundTrip(float(1)), 1)).toBe(false);
    expect(roundTrip(1)).toBe(1);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(encodeTerm(-0).equals(hex('83 46 8000000000000000'))).toBe(true);
    expect(roundTrip(2.5)).toBe(2.5);
    expect(termEquals(float(2.5), 2.5)).toBe(true);
    expect(termEquals(float(0), -0)).toBe(false);
    expect(termEquals(0, -0)).toBe(false);
    expect(termEquals(-0, 0)).toBe(false);
    expect(termEquals(-0, -0)).toBe(true);
  });

  it('integers past 2^53 are bigints, of any size; smaller ones are numbers whichever way they were sent', () => {
    expect(roundTrip(2n ** 64n)).toBe(2n ** 64n);
    expect(roundTrip(-(2n ** 3000n))).toBe(-(2n ** 3000n));
    expect(roundTrip(5n)).toBe(5);
    expect(roundTrip(Number.MAX_SAFE_INTEGER + 1)).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 1n);
    expect(roundTrip(-2147483649)).toBe(-2147483649);
  });

  it('a binary is a string when it is UTF-8 (a BOM and NUL included) and bytes otherwise; a charlist is a list of numbers', () => {
    expect(roundTrip('\uFEFFhé\u0000')).toBe('\uFEFFhé\u0000');
    expect(roundTrip(new Uint8Array([0xff, 0]))).toStrictEqual(new Uint8Array([0xff, 0]));
    expect(roundTrip(new TextEncoder().encode('abc'))).toBe('abc');
    expect(decodeTerm(hex('83 6b 0003 616263'))).toStrictEqual([97, 98, 99]);
    expect(roundTrip(new BitString(new Uint8Array([0xff]), 3))).toStrictEqual(new BitString(new Uint8Array([0xe0]), 3));
  });

  it('lists, improper lists, tuples and both kinds of maps', () => {
    expect(roundTrip(improperList([1, 2], atom('t')))).toStrictEqual(new ImproperList([1, 2], atom('t')));
    expect(roundTrip(improperList([1], undefined))).toStrictEqual(new ImproperList([1], undefined));
    expect(roundTrip(tuple())).toStrictEqual(new Tuple([]));
    expect(roundTrip({ name: 'x', __proto__x: 1 })).toStrictEqual({ name: 'x', __proto__x: 1 });
    expect(roundTrip(new Map([[atom('a'), 1]]))).toStrictEqual({ a: 1 });
    expect(roundTrip(new Map<unknown, unknown>([[1, 'one'], ['two', 2]]))).toStrictEqual(new Map<unknown, unknown>([[1, 'one'], ['two', 2]]));
    const hostile = decodeTerm(encodeTerm(new Map([[atom('__proto__'), { polluted: true }]]))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(termEquals({ a: [1, 'x'] }, new Map([[atom('a'), [1n, new TextEncoder().encode('x')]]]))).toBe(true);
  });
});

describe('pids and references', () => {
  it("a kit Pid travels as an Erlang pid (its number split into ID and Serial) and comes back the same Pid", () => {
    const pid = new Pid('kit@host', 2 ** 32 + 7, 123456);
    const bytes = encodeTerm(pid);
    // NEW_PID_EXT: node atom, ID 7, Serial 1, creation 123456
    expect(bytes.subarray(-12).equals(hex('00000007 00000001 0001e240'))).toBe(true);
    const back = roundTrip(pid) as Pid;
    expect(back).toBeInstanceOf(Pid);
    expect(samePid(back, pid)).toBe(true);
  });

  it("an Erlang ref's words survive, a kit Ref needs none, and refs with other words are other refs", () => {
    const ref = erlangRef('erl@host', 3, [189991, 2706112514, 1736399123]);
    const back = roundTrip(ref) as Ref;
    expect(back).toStrictEqual(ref);
    expect(sameRef(back, ref)).toBe(true);
    expect(back.words).toEqual([189991, 2706112514, 1736399123]);
    expect(String(back)).toBe('#Reference<erl@host.1736399123.2706112514.189991>');
    const kitRef = new Ref('kit@host', 2 ** 52 + 3, 5);
    const kitBack = roundTrip(kitRef) as Ref;
    expect(kitBack.words).toBeUndefined();
    expect(sameRef(kitBack, kitRef)).toBe(true);
    expect(sameRef(ref, erlangRef('erl@host', 3, [189991, 2706112514, 1736399124]))).toBe(false);
    expect(sameRef(ref, new Ref('erl@host', ref.id, 3))).toBe(false);
    // The kit's own codec (local sends copy through it) keeps the words too.
    expect(sameRef(copyTerm(ref), ref)).toBe(true);
  });

  it('ports and funs come as opaque terms that go back byte for byte', () => {
    // fun erlang:abs/1 and a port of node 'a@b', as term_to_binary(T, [{minor_version, 2}]) writes them
    const exportFun = hex('83 71 77 06 65726c616e67 77 03 616273 61 01');
    const port = hex('83 59 77 03 614062 00000005 00000001');
    for (const bytes of [exportFun, port]) {
      const term = decodeTerm(bytes);
      expect(term).toBeInstanceOf(ErlangOpaque);
      expect(encodeTerm(term).equals(bytes)).toBe(true);
    }
  });
});

describe('what cannot cross is refused at the sender, saying where', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['NaN', { x: [NaN] }, /message\.x\[0\].*no NaN/],
    ['a function', { handler: () => 1 }, /function.*message\.handler/],
    ['a symbol', [Symbol('s')], /symbol/],
    ['a Set', { s: new Set([1]) }, /Set.*message\.s/],
    ['a Date', new Date(0), /Date/],
    ['a lone surrogate', ['ok', '\uD800'], /message\[1\].*lone surrogate/],
    ['a map key given twice as Erlang sees it', new Map<unknown, unknown>([[1, 'a'], [1n, 'b']]), /already in the map/],
    ['an object key longer than an atom', { ['k'.repeat(256)]: 1 }, /longer than an atom/],
  ];
  for (const [what, value, message] of cases) {
    it(`${what}`, () => {
      expect(() => encodeTerm(value)).toThrow(ErlangCodecError);
      expect(() => encodeTerm(value)).toThrow(message);
    });
  }

  it('a cycle, as nesting too deep to be data', () => {
    const loop: unknown[] = [];
    loop.push(loop);
    expect(() => encodeTerm(loop)).toThrow(/nested deeper than/);
  });

  it('an atom longer than 255 characters cannot even be made', () => {
    expect(() => atom('a'.repeat(256))).toThrow(/at most 255 characters/);
  });
});

describe('what a peer sends is checked before anything is built from it', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['a truncated term', '83 68 03 61 01', /truncated/],
    ['a list that claims four billion elements', '83 6c ffffffff 6a', /truncated.*list of 4294967295/],
    ['a binary longer than the frame', '83 6d 7fffffff 00', /truncated/],
    ['an unknown tag', '83 01', /unknown term tag 1/],
    ['an atom cache reference', '83 52 00', /atom cache/],
    ['bytes after the term', '83 6a 6a', /1 bytes after the term/],
    ['a map with a key twice', '83 74 00000002 61 01 61 02 61 01 61 03', /same key twice/],
    ['an atom that is not UTF-8', '83 77 01 ff', /not valid UTF-8/],
    ['no version byte', '68 00', /version byte 131/],
  ];
  for (const [what, bytes, message] of bad) {
    it(`${what}`, () => {
      expect(() => decodeTerm(hex(bytes))).toThrow(ErlangCodecError);
      expect(() => decodeTerm(hex(bytes))).toThrow(message);
    });
  }

  it('nesting deeper than the limit', () => {
    const deep = Buffer.concat([Buffer.from([131]), Buffer.alloc(5000, 0x68).map((_, i) => (i % 2 ? 1 : 0x68)), Buffer.from([0x6a])]);
    expect(() => decodeTerm(deep)).toThrow(/nested deeper than 1000/);
  });

  it('a compressed term (term_to_binary(T, [compressed])) inflates, within the size it announces', () => {
    // term_to_binary(lists:duplicate(100, 0), [compressed, {minor_version, 2}])
    const compressed = hex('835000000067789CCB664861A003000052E800D0');
    expect(decodeTerm(compressed)).toStrictEqual(new Array(100).fill(0));
  });
});
