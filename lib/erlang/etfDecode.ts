// Erlang's external term format to JavaScript values. The mapping, from the
// Erlang side (the other way round is in etfEncode.ts; README.md has both):
//
//   the atoms true, false, nil, undefined    true, false, null, undefined
//   any other atom                           an Atom (`atom('ok')`: the same object each time)
//   an integer                               a number when it is a safe integer, else a bigint
//   a float                                  a number, or an ErlangFloat when its value is a
//                                            whole number (1.0), which a number would turn into 1
//   a binary                                 a string when it is valid UTF-8, else a Uint8Array
//   a bitstring                              a BitString
//   a proper list (also a charlist)          an array ("abc" in Erlang is [97, 98, 99])
//   an improper list                         an ImproperList
//   a tuple                                  a Tuple
//   a map whose keys are all atoms           a plain object, keyed by the atoms' names
//   any other map                            a Map
//   a pid, a reference                       the kit's Pid and Ref (see nodeIds.ts)
//   a port, a fun                            an ErlangOpaque that re-encodes byte for byte
//
// So a term from Erlang, decoded and encoded again, is the same term (=:=), floats
// and their sign included. Decoding checks every length against the bytes left
// before it allocates, and refuses what binary_to_term would refuse (a truncated
// term, a map with a key twice, an atom longer than 255 characters).
import { inflateSync } from 'node:zlib';
import { Pid, Ref } from '../terms.ts';
import { Reader } from './bytes.ts';
import { ErlangCodecError, TAG, VERSION } from './etfTags.ts';
import { pidNumber, refFromWords } from './nodeIds.ts';
import { BitString, ErlangFloat, ErlangOpaque, ImproperList, MAX_ATOM_CHARACTERS, Tuple, atomName, atomValue } from './terms.ts';

export { atomName, atomValue };

/** Deeper than this is refused: Node's stack would give out long before Erlang's heap. */
export const MAX_DECODE_DEPTH = 1000;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder('latin1');

/** Decodes a whole term_to_binary-style buffer: the version byte, one term (possibly compressed), nothing after. */
export function decodeTerm(bytes: Uint8Array, maxBytes = 64 * 1024 * 1024): unknown {
  const r = new Reader(bytes);
  if (r.u8() !== VERSION) throw new ErlangCodecError('not an Erlang term: it does not start with the version byte 131');
  if (r.left > 0 && r.bytes[r.pos] === TAG.COMPRESSED) {
    r.pos++;
    const size = r.u32();
    if (size > maxBytes) throw new ErlangCodecError(`compressed term of ${size} bytes is over the ${maxBytes}-byte limit`);
    let inflated: Buffer;
    try {
      inflated = inflateSync(r.bytes.subarray(r.pos), { maxOutputLength: Math.max(size, 1) });
    } catch (err) {
      throw new ErlangCodecError(`compressed term does not inflate: ${(err as Error).message}`);
    }
    if (inflated.length !== size) throw new ErlangCodecError(`compressed term inflates to ${inflated.length} bytes, not the ${size} it announced`);
    const inner = new Reader(inflated);
    const term = readTerm(inner);
    if (inner.left !== 0) throw new ErlangCodecError(`${inner.left} bytes after the term`);
    return term;
  }
  const term = readTerm(r);
  if (r.left !== 0) throw new ErlangCodecError(`${r.left} bytes after the term`);
  return term;
}

/** Reads one term (no version byte) at the reader's position and moves past it. */
export function readTerm(r: Reader): unknown {
  return read(r, 0);
}

function readAtomText(r: Reader, tag: number): string {
  const size = tag === TAG.ATOM || tag === TAG.ATOM_UTF8 ? r.u16() : r.u8();
  const raw = r.take(size, 'an atom');
  let name: string;
  if (tag === TAG.ATOM || tag === TAG.SMALL_ATOM) name = latin1.decode(raw);
  else {
    try {
      name = utf8.decode(raw);
    } catch {
      throw new ErlangCodecError('an atom is not valid UTF-8');
    }
  }
  if ([...name].length > MAX_ATOM_CHARACTERS) throw new ErlangCodecError(`an atom of ${[...name].length} characters (Erlang's limit is ${MAX_ATOM_CHARACTERS})`);
  return name;
}

function isAtomTag(tag: number): boolean {
  return tag === TAG.ATOM || tag === TAG.SMALL_ATOM || tag === TAG.ATOM_UTF8 || tag === TAG.SMALL_ATOM_UTF8;
}

/** A node name inside a pid, port or reference: an atom, read as its text. */
function readNodeName(r: Reader): string {
  const tag = r.u8();
  if (!isAtomTag(tag)) throw new ErlangCodecError(`a node name must be an atom (tag ${tag})`);
  return readAtomText(r, tag);
}

function floatValue(v: number): number | ErlangFloat {
  if (!Number.isFinite(v)) throw new ErlangCodecError('a float that is NaN or infinite is no Erlang float');
  return Number.isInteger(v) && !Object.is(v, -0) ? new ErlangFloat(v) : v;
}

function integerValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function readBig(r: Reader, size: number): number | bigint {
  const negative = r.u8();
  if (negative > 1) throw new ErlangCodecError(`a big integer's sign byte is ${negative}`);
  const digits = r.take(size, 'a big integer');
  if (size === 0) return 0;
  const magnitude = BigInt(`0x${Buffer.from(digits).reverse().toString('hex')}`);
  return integerValue(negative ? -magnitude : magnitude);
}

function binaryValue(raw: Buffer): string | Uint8Array {
  try {
    return utf8.decode(raw);
  } catch {
    return Uint8Array.from(raw);
  }
}

function readList(r: Reader, depth: number): unknown {
  const count = r.u32();
  r.need(count + 1, `a list of ${count} elements`);
  const items = new Array<unknown>(count);
  for (let i = 0; i < count; i++) items[i] = read(r, depth);
  const tail = read(r, depth);
  if (Array.isArray(tail)) return tail.length === 0 ? items : items.concat(tail);
  if (tail instanceof ImproperList) return new ImproperList(items.concat(tail.items), tail.tail);
  return new ImproperList(items, tail);
}

function readMap(r: Reader, depth: number): unknown {
  const arity = r.u32();
  r.need(arity * 2, `a map of ${arity} pairs`);
  const pairs = new Array<[unknown, unknown]>(arity);
  let atomKeys = true;
  for (let i = 0; i < arity; i++) {
    const key = read(r, depth);
    pairs[i] = [key, read(r, depth)];
    if (atomName(key) === undefined) atomKeys = false;
  }
  if (atomKeys) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of pairs) {
      const name = atomName(key)!;
      if (Object.hasOwn(out, name)) throw new ErlangCodecError(`a map has the key ${name} twice`);
      // Defining (not assigning) keeps a key called "__proto__" an ordinary own property.
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  const out = new Map<unknown, unknown>();
  for (const [key, value] of pairs) {
    // Atoms are interned and numbers and strings compare by value, so a repeated key of those kinds shows here.
    if (out.has(key)) throw new ErlangCodecError('a map has the same key twice');
    out.set(key, value);
  }
  return out;
}

/** Skips a term and hands back its bytes (from its tag on): for ports and funs the kit only carries. */
function opaque(r: Reader, kind: 'port' | 'fun' | 'export', start: number): ErlangOpaque {
  return new ErlangOpaque(kind, r.bytes.subarray(start, r.pos));
}

function read(r: Reader, depth: number): unknown {
  if (depth >= MAX_DECODE_DEPTH) throw new ErlangCodecError(`a term nested deeper than ${MAX_DECODE_DEPTH} levels`);
  const next = depth + 1;
  const start = r.pos;
  const tag = r.u8();
  switch (tag) {
    case TAG.SMALL_INTEGER:
      return r.u8();
    case TAG.INTEGER:
      return r.i32();
    case TAG.SMALL_BIG:
      return readBig(r, r.u8());
    case TAG.LARGE_BIG:
      return readBig(r, r.u32());
    case TAG.NEW_FLOAT:
      return floatValue(r.f64());
    case TAG.FLOAT: {
      const text = latin1.decode(r.take(31, 'an old-style float')).replace(/\0.*$/s, '').trim();
      if (!/^[-+]?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(text)) throw new ErlangCodecError(`an old-style float that reads ${JSON.stringify(text)}`);
      return floatValue(Number(text));
    }
    case TAG.ATOM:
    case TAG.SMALL_ATOM:
    case TAG.ATOM_UTF8:
    case TAG.SMALL_ATOM_UTF8:
      return atomValue(readAtomText(r, tag));
    case TAG.SMALL_TUPLE:
    case TAG.LARGE_TUPLE: {
      const arity = tag === TAG.SMALL_TUPLE ? r.u8() : r.u32();
      r.need(arity, `a tuple of ${arity} elements`);
      const elements = new Array<unknown>(arity);
      for (let i = 0; i < arity; i++) elements[i] = read(r, next);
      return new Tuple(elements);
    }
    case TAG.NIL:
      return [];
    case TAG.STRING:
      return Array.from(r.take(r.u16(), 'a string'));
    case TAG.LIST:
      return readList(r, next);
    case TAG.BINARY:
      return binaryValue(r.take(r.u32(), 'a binary'));
    case TAG.BIT_BINARY: {
      const size = r.u32();
      const bits = r.u8();
      const raw = r.take(size, 'a bitstring');
      if (bits === 8 && size > 0) return binaryValue(raw);
      if (bits < 1 || bits > 8 || size === 0) throw new ErlangCodecError(`a bitstring of ${size} bytes using ${bits} bits of its last`);
      return new BitString(raw, bits);
    }
    case TAG.MAP:
      return readMap(r, next);
    case TAG.NEW_PID:
    case TAG.PID: {
      const node = readNodeName(r);
      const id = r.u32();
      const serial = r.u32();
      const creation = tag === TAG.NEW_PID ? r.u32() : r.u8();
      return new Pid(node, pidNumber({ id, serial }), creation);
    }
    case TAG.NEWER_REFERENCE:
    case TAG.NEW_REFERENCE: {
      const count = r.u16();
      if (count < 1 || count > 5) throw new ErlangCodecError(`a reference of ${count} words (one to five)`);
      const node = readNodeName(r);
      const creation = tag === TAG.NEWER_REFERENCE ? r.u32() : r.u8();
      const words: number[] = [];
      for (let i = 0; i < count; i++) words.push(r.u32());
      const { id, words: kept } = refFromWords(words);
      return new Ref(node, id, creation, kept);
    }
    case TAG.REFERENCE: {
      const node = readNodeName(r);
      const word = r.u32();
      const creation = r.u8();
      const { id, words: kept } = refFromWords([word]);
      return new Ref(node, id, creation, kept);
    }
    case TAG.NEW_PORT:
    case TAG.PORT:
    case TAG.V4_PORT:
      readNodeName(r);
      r.take(tag === TAG.V4_PORT ? 12 : tag === TAG.NEW_PORT ? 8 : 5, 'a port');
      return opaque(r, 'port', start);
    case TAG.NEW_FUN: {
      const size = r.u32();
      if (size < 4) throw new ErlangCodecError(`a fun of ${size} bytes`);
      r.take(size - 4, 'a fun');
      return opaque(r, 'fun', start);
    }
    case TAG.EXPORT:
      for (let i = 0; i < 3; i++) read(r, next); // module, function, arity
      return opaque(r, 'export', start);
    case TAG.ATOM_CACHE_REF:
      throw new ErlangCodecError('an atom cache reference, though no atom cache was negotiated');
    case TAG.LOCAL:
      throw new ErlangCodecError("a term in a node's local format, which only that node can read");
    default:
      throw new ErlangCodecError(`unknown term tag ${tag}`);
  }
}
