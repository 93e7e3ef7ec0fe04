// The hand-written checks on the hot path (isDistFrame, isWire) against the zod
// schemas they stand in for, which are the specification: on generated valid and
// invalid frames and entries, both must say the same. And the codec's in-place
// decoding gives back what was sent, `$` and "__proto__" keys included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inspect, isDeepStrictEqual } from 'node:util';
import { decode, encodeToString } from '../../lib/codec.ts';
import { entrySchemas, isWire, readEntry } from '../../lib/distribution/entryCodec.ts';
import { distFrame, isDistFrame } from '../../lib/distribution/frames.ts';
import { Pid, Ref } from '../../lib/terms.ts';

const runs = { numRuns: 3_000, seed: Number(process.env.DISTSYS_SEED ?? Date.now() % 2 ** 31) };

const nodeNames = fc.oneof(
  fc.constantFrom('a@b', 'ab@host', 'chris@127.0.0.1', 'x_y-z@h.example', `${'n'.repeat(250)}@host`),
  // Near the rules: too short, too long, no @, two @, spaces, odd characters.
  fc.constantFrom('a@', '@b', 'ab', 'a b@c', 'a@b c', 'a@b@c', 'é@host', `${'n'.repeat(251)}@host`, `${'n'.repeat(252)}@host`, '', 'a@\u00a0'),
  fc.string({ maxLength: 12 }),
);
const pids = fc.tuple(nodeNames, fc.nat(), fc.nat()).map(([n, i, c]) => new Pid(n, i, c));
const refs = fc.tuple(nodeNames, fc.nat(), fc.nat()).map(([n, i, c]) => new Ref(n, i, c));
const numbers = fc.oneof(
  fc.integer(),
  fc.constantFrom(2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1.5, -0, NaN, Infinity, -Infinity),
  fc.double(),
);
/** Any field an entry or a frame might hold, valid somewhere or nowhere. */
const anyField: fc.Arbitrary<unknown> = fc.oneof(
  pids,
  refs,
  nodeNames,
  numbers,
  fc.boolean(),
  fc.constantFrom(undefined, null, [], {}, [1], 'tick', 'b'),
  fc.record({ name: fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), node: nodeNames }),
  fc.record({ name: fc.string({ maxLength: 6 }), node: nodeNames, extra: fc.integer() }),
  fc.jsonValue({ maxDepth: 2 }),
);
const tags = fc.oneof(fc.constantFrom(...Object.keys(entrySchemas)), fc.constantFrom('S', 'ss', '', '__proto__', 'constructor'), fc.string({ maxLength: 3 }));

/** Valid entries of each tag (its fields of the right kinds), so the valid side is well covered. */
const validWire = fc.oneof(
  fc.tuple(fc.constant('s'), fc.integer(), fc.integer(), anyField),
  fc.tuple(fc.constant('n'), fc.string({ maxLength: 8 }), anyField),
  fc.tuple(fc.constantFrom('l', 'u'), pids, pids),
  fc.tuple(fc.constant('x'), pids, pids, anyField, fc.boolean()),
  fc.tuple(fc.constantFrom('m', 'dm'), pids, fc.oneof(pids, fc.string({ maxLength: 8 })), refs),
  fc.tuple(fc.constant('D'), pids, refs, fc.oneof(pids, fc.record({ name: fc.string({ maxLength: 6 }), node: nodeNames })), anyField),
);
/** A valid entry with one field replaced, one added or one removed; or fields of any kind under any tag. */
const invalidishWire = fc.oneof(
  fc.tuple(validWire, fc.nat(), anyField).map(([w, at, v]) => {
    const copy: unknown[] = [...w];
    copy[at % (copy.length + 1)] = v;
    return copy;
  }),
  validWire.map((w) => w.slice(0, -1)),
  fc.tuple(validWire, anyField).map(([w, v]) => [...w, v]),
  fc.tuple(tags, fc.array(anyField, { maxLength: 5 })).map(([t, rest]) => [t, ...rest]),
  anyField,
);

function zodSaysWire(w: unknown): boolean {
  if (!Array.isArray(w) || typeof w[0] !== 'string' || !Object.hasOwn(entrySchemas, w[0])) return false;
  return entrySchemas[w[0] as keyof typeof entrySchemas].safeParse(w).success;
}

const batch = fc.array(fc.oneof(fc.array(anyField, { minLength: 1, maxLength: 3 }), fc.constant([]), anyField), { maxLength: 4 });
const frames = fc.oneof(
  fc.record({ t: fc.constant('b'), e: batch }),
  fc.record({ t: fc.constant('b'), e: fc.array(fc.array(anyField, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }) }),
  fc.record({ t: fc.constantFrom('tick', 'peers', 'b', 'hello', ''), nodes: fc.array(nodeNames, { maxLength: 4 }), e: fc.oneof(batch, anyField) }, { requiredKeys: ['t'] }),
  fc.record({ t: fc.constant('peers'), nodes: fc.oneof(fc.array(nodeNames, { maxLength: 4 }), anyField) }),
  fc.record({ t: anyField, e: batch }),
  anyField,
  fc.jsonValue(),
);

describe('the hot path checks agree with the schemas', () => {
  it('isWire accepts exactly the entries the zod schemas accept', () => {
    fc.assert(fc.property(fc.oneof(validWire, invalidishWire), (w) => {
      expect(isWire(w)).toBe(zodSaysWire(w));
    }), runs);
  });

  it('isDistFrame accepts exactly the frames the zod schema accepts', () => {
    fc.assert(fc.property(frames, (f) => {
      expect(isDistFrame(f)).toBe(distFrame.safeParse(f).success);
    }), runs);
    // At the peer list's bound.
    const names = (n: number) => ({ t: 'peers', nodes: Array.from({ length: n }, (_, i) => `n${i}@host`) });
    for (const n of [10_000, 10_001]) expect(isDistFrame(names(n))).toBe(distFrame.safeParse(names(n)).success);
  });

  it('an entry read from the wire is what zod reads: a remote name keeps its two fields only', () => {
    const pid = new Pid('a@h', 1, 2);
    const ref = new Ref('b@h', 3, 4);
    const text = encodeToString(['D', pid, ref, { name: 'srv', node: 'b@h', extra: { evil: true } }, 'noproc']);
    expect(readEntry(JSON.parse(text))).toEqual({ kind: 'down', to: pid, ref, object: { name: 'srv', node: 'b@h' }, reason: 'noproc' });
  });
});

describe('decoding in place', () => {
  const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('$', '__proto__', 'constructor', 'toString'));
  const { term } = fc.letrec((tie) => ({
    term: fc.oneof(
      { depthSize: 'small' },
      fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(-0, NaN, Infinity, undefined)),
      fc.array(tie('term'), { maxLength: 4 }),
      fc.dictionary(key, tie('term'), { maxKeys: 4, noNullPrototype: true }),
      pids,
    ),
  }));

  it('gives back the term that was encoded, keys named $ or __proto__ included', () => {
    fc.assert(
      fc.property(term, (t) => {
        const back = decode(JSON.parse(encodeToString(t)));
        // Node's strict deep equality: prototypes, own keys, -0 apart from 0 (vitest's would read a "constructor" key as the type).
        expect(isDeepStrictEqual(back, t), `${inspect(t)} came back as ${inspect(back)}`).toBe(true);
      }),
      runs,
    );
  });
});
