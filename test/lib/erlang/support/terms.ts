// Generated Erlang terms for the property tests, each as a pair: the JavaScript
// value the kit's mapping gives it (its canonical form: what decoding produces),
// and the same term written in Erlang source, for `erl` to build on its own. Terms
// that have no source form (pids, refs, ports, funs) come from a pool the test fills
// from a real node, and are written as the variables X1, X2, ... bound to it.
import fc from 'fast-check';
import { Atom, BitString, ErlangFloat, ImproperList, Tuple, atom, float, isWellFormed } from '../../../../lib/erlang/terms.ts';

export interface Sample {
  readonly value: unknown;
  readonly source: string;
}

function escapeChars(text: string, quote: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else out += `\\x{${code.toString(16)}}`;
  }
  return out;
}

/** A JavaScript number as an Erlang float literal (Erlang wants digits on both sides of the dot). */
export function floatSource(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  const text = String(v);
  if (/^-?\d+$/.test(text)) return `${text}.0`;
  if (/^-?\d+e/.test(text)) return text.replace('e', '.0e');
  return text;
}

const atomNames = fc.oneof(
  fc.constantFrom('ok', 'error', 'hello world', '', "it's", 'back\\slash', 'Ünïcödé', '日本', '😀', '$gen_call', 'nil_', 'EXIT', 'true_'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const atoms: fc.Arbitrary<Sample> = atomNames
  .filter((n) => !['true', 'false', 'nil', 'undefined'].includes(n) && [...n].length <= 255 && isWellFormed(n))
  .map((n) => ({ value: atom(n), source: `'${escapeChars(n, "'")}'` }));

const specialAtoms: fc.Arbitrary<Sample> = fc.constantFrom(
  { value: true, source: 'true' },
  { value: false, source: 'false' },
  { value: null, source: 'nil' },
  { value: undefined, source: 'undefined' },
);

const integers: fc.Arbitrary<Sample> = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer(),
  fc.maxSafeInteger(),
).map((n) => ({ value: n, source: String(n) }));

const bigIntegers: fc.Arbitrary<Sample> = fc
  .oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.bigInt({ min: -(2n ** 2100n), max: 2n ** 2100n }))
  .filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER))
  .map((n) => ({ value: n, source: n.toString() }));

const floats: fc.Arbitrary<Sample> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.1, -2.5, 1e-7, 5e-324, 1.7976931348623157e308, 1, 0, -0, 1e21, 2 ** 53, -3),
).map((v) => {
  const value = Number.isInteger(v) && !Object.is(v, -0) ? float(v) : v;
  return { value, source: floatSource(v) };
});

const strings: fc.Arbitrary<Sample> = fc
  .oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', '\uFEFFbom', 'a\u0000b'))
  .filter(isWellFormed)
  .map((s) => ({ value: s, source: `<<"${escapeChars(s, '"')}"/utf8>>` }));

function validUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const binaries: fc.Arbitrary<Sample> = fc
  .uint8Array({ minLength: 1, maxLength: 40 })
  .filter((b) => !validUtf8(b))
  .map((b) => ({ value: b, source: `<<${[...b].join(',')}>>` }));

const bitstrings: fc.Arbitrary<Sample> = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 7 }))
  .map(([bytes, bits]) => {
    const value = new BitString(bytes, bits);
    const whole = [...value.bytes.subarray(0, -1)];
    const last = value.bytes[value.bytes.length - 1]! >> (8 - bits);
    return { value, source: `<<${[...whole.map(String), `${last}:${bits}`].join(',')}>>` };
  });

/** Terms without a source form, as the test pool holds them. */
export function poolTerms(pool: readonly unknown[]): fc.Arbitrary<Sample> {
  return fc.integer({ min: 0, max: pool.length - 1 }).map((i) => ({ value: pool[i], source: `X${i + 1}` }));
}

const leaf = (pool: readonly unknown[]): fc.Arbitrary<Sample> =>
  fc.oneof(atoms, specialAtoms, integers, bigIntegers, floats, strings, binaries, bitstrings, ...(pool.length ? [poolTerms(pool)] : []));

/** Any term, nested a few levels: lists (proper, improper, charlists), tuples, maps of both kinds. */
export function anyTerm(pool: readonly unknown[] = []): fc.Arbitrary<Sample> {
  const { term } = fc.letrec<{ term: Sample }>((tie) => {
    const sub = () => tie('term');
    return {
      term: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf(pool),
        fc.array(sub(), { maxLength: 5 }).map((items) => ({ value: items.map((i) => i.value), source: `[${items.map((i) => i.source).join(', ')}]` })),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }).map((codes) => ({
          value: codes,
          source: `"${escapeChars(String.fromCharCode(...codes), '"')}"`,
        })),
        fc
          .tuple(fc.array(sub(), { minLength: 1, maxLength: 4 }), sub())
          .filter(([, tail]) => !Array.isArray(tail.value) && !(tail.value instanceof ImproperList))
          .map(([items, tail]) => ({
            value: new ImproperList(items.map((i) => i.value), tail.value),
            source: `[${items.map((i) => i.source).join(', ')} | ${tail.source}]`,
          })),
        fc.array(sub(), { maxLength: 5 }).map((items) => ({ value: new Tuple(items.map((i) => i.value)), source: `{${items.map((i) => i.source).join(', ')}}` })),
        // A map with atom keys is a plain object...
        fc.uniqueArray(fc.tuple(atomNames.filter((n) => [...n].length <= 255 && isWellFormed(n)), sub()), { selector: ([k]) => k, maxLength: 4 }).map((pairs) => {
          const value: Record<string, unknown> = {};
          for (const [k, v] of pairs) Object.defineProperty(value, k, { value: v.value, enumerable: true, writable: true, configurable: true });
          return { value, source: `#{${pairs.map(([k, v]) => `'${escapeChars(k, "'")}' => ${v.source}`).join(', ')}}` };
        }),
        // ...any other map a Map, with at least one key that is no atom. (No float keys: OTP 25 takes
        // 0.0 and -0.0 for one key, JavaScript's Map for two.)
        fc
          .uniqueArray(fc.tuple(fc.oneof(integers, strings), sub()), { selector: ([k]) => k.source, minLength: 1, maxLength: 4 })
          .map((pairs) => ({
            value: new Map(pairs.map(([k, v]) => [k.value, v.value])),
            source: `#{${pairs.map(([k, v]) => `${k.source} => ${v.source}`).join(', ')}}`,
          })),
      ),
    };
  });
  return term;
}

export { Atom, ErlangFloat };
