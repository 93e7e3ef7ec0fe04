// JavaScript values to Erlang's external term format. The mapping (README.md,
// "The term mapping"), from the JavaScript side:
//
//   true, false, null, undefined    the atoms true, false, nil (Elixir's), undefined
//   a number that is an integer     an integer (-0 is a float: Erlang has no integer -0)
//   any other finite number         a float; ErlangFloat (`float(1)`) is a float too
//   bigint                          an integer, of any size
//   string                          a UTF-8 binary (Elixir's strings)
//   Uint8Array, Buffer              a binary; BitString a bitstring
//   array                           a proper list (ImproperList for `[a | b]`)
//   Atom, Tuple                     an atom, a tuple (`atom('ok')`, `tuple(...)`)
//   Map                             a map with keys of any type
//   plain object                    a map whose keys are atoms (`%{name: ...}` in Elixir)
//   Pid, Ref                        a pid, a reference (see nodeIds.ts)
//   ErlangOpaque                    the port or fun it came as, byte for byte
//
// NaN and the infinities, functions, symbols, Sets, Dates, Errors and other class
// instances have no Erlang form: encoding throws an ErlangCodecError naming the
// value and where it sits, before anything is sent.
import { types } from 'node:util';
import { localNode } from '../localNode.ts';
import { Pid, Ref } from '../terms.ts';
import { Writer } from './bytes.ts';
import { ErlangCodecError, TAG, VERSION } from './etfTags.ts';
import { pidParts, refWords } from './nodeIds.ts';
import { Atom, BitString, ErlangFloat, ErlangOpaque, ImproperList, Tuple, isWellFormed } from './terms.ts';

/** Deeper than this is taken for a cycle: a message is data, not a graph. */
export const MAX_ENCODE_DEPTH = 1000;

/**
 * A term already in the external format (its bytes from the tag on, without the version
 * byte), written as it is wherever it sits. A kit node encodes a message when it is sent, so
 * what has no Erlang form throws at the sender, and frames it later, when the connection is up.
 */
export class EncodedTerm {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    Object.freeze(this);
  }
  /** `term` encoded now; throws ErlangCodecError, naming where, for what has no Erlang form. */
  static of(term: unknown): EncodedTerm {
    const w = new Writer();
    writeTerm(w, term);
    return new EncodedTerm(w.result());
  }
}

/** Encodes `term` on its own, as term_to_binary does: the version byte, then the term. */
export function encodeTerm(term: unknown): Buffer {
  const w = new Writer();
  w.u8(VERSION);
  writeTerm(w, term);
  return w.result();
}

/** Appends `term` (without a version byte) to `w`; throws ErlangCodecError for what Erlang has no form of. */
export function writeTerm(w: Writer, term: unknown): void {
  write(w, term, [], 0);
}

type Path = Array<string | number>;

function where(path: Path): string {
  let out = 'message';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : step.startsWith('<') ? step : `.${step}`;
  return out;
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value === 'symbol') return `a symbol (${String(value)})`;
  if (typeof value === 'number') return `the number ${value}`;
  const ctor = (value as object).constructor;
  return `an instance of ${ctor?.name ?? 'an unknown class'}`;
}

function refuse(value: unknown, path: Path, why: string): never {
  throw new ErlangCodecError(`cannot send ${describe(value)} to an Erlang node at ${where(path)}: ${why}`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || (Object.getPrototypeOf(proto) === null && proto.constructor?.name === 'Object');
}

export function writeAtom(w: Writer, name: string): void {
  const size = Buffer.byteLength(name, 'utf8');
  if (size <= 255) {
    w.u8(TAG.SMALL_ATOM_UTF8);
    w.u8(size);
  } else {
    w.u8(TAG.ATOM_UTF8);
    w.u16(size);
  }
  w.utf8(name, size);
}

function writeInteger(w: Writer, v: number): void {
  if (v >= 0 && v <= 255) {
    w.u8(TAG.SMALL_INTEGER);
    w.u8(v);
  } else if (v >= -0x80000000 && v <= 0x7fffffff) {
    w.u8(TAG.INTEGER);
    w.i32(v);
  } else {
    writeBig(w, BigInt(v));
  }
}

function writeBig(w: Writer, v: bigint): void {
  if (v >= -0x80000000n && v <= 0x7fffffffn) {
    writeInteger(w, Number(v));
    return;
  }
  const negative = v < 0n;
  let hex = (negative ? -v : v).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const digits = Buffer.from(hex, 'hex').reverse(); // Erlang stores the least significant byte first
  if (digits.length <= 255) {
    w.u8(TAG.SMALL_BIG);
    w.u8(digits.length);
  } else {
    w.u8(TAG.LARGE_BIG);
    w.u32(digits.length);
  }
  w.u8(negative ? 1 : 0);
  w.bytes(digits);
}

function writeFloat(w: Writer, v: number): void {
  w.u8(TAG.NEW_FLOAT);
  w.f64(v);
}

function writeBinary(w: Writer, bytes: Uint8Array): void {
  w.u8(TAG.BINARY);
  w.u32(bytes.length);
  w.bytes(bytes);
}

function nodeOf(term: Pid | Ref): string {
  // This node's own pids and refs travel under its current name, whatever name they were minted under.
  return localNode.owns(term) ? localNode.name : term.node;
}

function checkCreation(value: Pid | Ref, path: Path): number {
  if (!Number.isInteger(value.creation) || value.creation < 0 || value.creation > 0xffffffff) refuse(value, path, `its creation ${value.creation} is not a 32-bit number`);
  return value.creation;
}

function writePid(w: Writer, pid: Pid, path: Path): void {
  const parts = pidParts(pid.id);
  w.u8(TAG.NEW_PID);
  writeAtom(w, nodeOf(pid));
  w.u32(parts.id);
  w.u32(parts.serial);
  w.u32(checkCreation(pid, path));
}

function writeRef(w: Writer, ref: Ref, path: Path): void {
  const words = ref.words ?? refWords(ref.id);
  if (words.length < 1 || words.length > 5) refuse(ref, path, 'a reference has one to five words');
  w.u8(TAG.NEWER_REFERENCE);
  w.u16(words.length);
  writeAtom(w, nodeOf(ref));
  w.u32(checkCreation(ref, path));
  for (const word of words) w.u32(word);
}

function isByteList(list: readonly unknown[]): boolean {
  if (list.length === 0 || list.length > 0xffff) return false;
  for (const v of list) if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255 || Object.is(v, -0)) return false;
  return true;
}

/** A proper list, or with `tail` an improper one (its tail may be any term, even the atom undefined). */
function writeList(w: Writer, items: readonly unknown[], tail: { value: unknown } | undefined, path: Path, depth: number): void {
  if (tail === undefined && isByteList(items)) {
    // A list of small integers (a charlist) goes as STRING_EXT, as Erlang sends it: the same term, fewer bytes.
    w.u8(TAG.STRING);
    w.u16(items.length);
    w.bytes(Uint8Array.from(items as number[]));
    return;
  }
  if (items.length === 0) {
    w.u8(TAG.NIL);
    return;
  }
  w.u8(TAG.LIST);
  w.u32(items.length);
  for (let i = 0; i < items.length; i++) {
    path.push(i);
    write(w, items[i], path, depth);
    path.pop();
  }
  if (tail === undefined) w.u8(TAG.NIL);
  else {
    path.push('<tail>');
    write(w, tail.value, path, depth);
    path.pop();
  }
}

function writeMap(w: Writer, entries: Array<[unknown, unknown]>, keysAreAtoms: boolean, path: Path, depth: number): void {
  w.u8(TAG.MAP);
  w.u32(entries.length);
  // Erlang refuses a map with the same key twice (and 1 and 1n are the same integer): compare the encoded keys.
  const seen = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    const start = w.length;
    path.push(`<key ${i}>`);
    if (keysAreAtoms) writeAtom(w, key as string);
    else write(w, key, path, depth);
    const encodedKey = w.view(start).toString('latin1');
    if (seen.has(encodedKey)) refuse(key, path, 'this key is already in the map as Erlang sees keys (an integer and a bigint of the same value are one key)');
    seen.add(encodedKey);
    path.pop();
    path.push(keysAreAtoms ? String(key) : `<value ${i}>`);
    write(w, value, path, depth);
    path.pop();
  }
}

function write(w: Writer, value: unknown, path: Path, depth: number): void {
  switch (typeof value) {
    case 'boolean':
      writeAtom(w, value ? 'true' : 'false');
      return;
    case 'undefined':
      writeAtom(w, 'undefined');
      return;
    case 'number':
      if (Number.isInteger(value) && !Object.is(value, -0)) writeInteger(w, value);
      else if (Number.isFinite(value)) writeFloat(w, value);
      else refuse(value, path, 'Erlang has no NaN or infinite float');
      return;
    case 'bigint':
      writeBig(w, value);
      return;
    case 'string': {
      if (!isWellFormed(value)) refuse(value, path, 'a string with a lone surrogate has no UTF-8 form');
      const size = Buffer.byteLength(value, 'utf8');
      w.u8(TAG.BINARY);
      w.u32(size);
      w.utf8(value, size);
      return;
    }
    case 'object':
      break;
    default:
      refuse(value, path, 'only data crosses between nodes, not code');
  }
  if (value === null) {
    writeAtom(w, 'nil');
    return;
  }
  if (depth >= MAX_ENCODE_DEPTH) refuse(value, path, `it is nested deeper than ${MAX_ENCODE_DEPTH} levels (is it cyclic?)`);
  const next = depth + 1;
  if (value instanceof Atom) writeAtom(w, value.name);
  else if (value instanceof Tuple) {
    const elements = value.elements;
    if (elements.length <= 255) {
      w.u8(TAG.SMALL_TUPLE);
      w.u8(elements.length);
    } else {
      w.u8(TAG.LARGE_TUPLE);
      w.u32(elements.length);
    }
    for (let i = 0; i < elements.length; i++) {
      path.push(i);
      write(w, elements[i], path, next);
      path.pop();
    }
  } else if (Array.isArray(value)) writeList(w, value, undefined, path, next);
  else if (value instanceof ErlangFloat) writeFloat(w, value.value);
  else if (value instanceof ImproperList) writeList(w, value.items, { value: value.tail }, path, next);
  else if (value instanceof Pid) writePid(w, value, path);
  else if (value instanceof Ref) writeRef(w, value, path);
  else if (value instanceof BitString) {
    w.u8(TAG.BIT_BINARY);
    w.u32(value.bytes.length);
    w.u8(value.bits);
    w.bytes(value.bytes);
  } else if (value instanceof ErlangOpaque || value instanceof EncodedTerm) w.bytes(value.bytes);
  else if (types.isUint8Array(value)) writeBinary(w, value);
  else if (types.isMap(value)) writeMap(w, [...value.entries()], false, path, next);
  else if (isPlainObject(value)) {
    const entries = Object.entries(value);
    for (const [key] of entries) if ([...key].length > 255) refuse(value, path, `its key ${JSON.stringify(key.slice(0, 20))}… is longer than an atom may be (255 characters)`);
    writeMap(w, entries, true, path, next);
  } else {
    refuse(
      value,
      path,
      'Erlang terms are atoms, numbers, strings and binaries, lists, tuples, maps, pids and references ' +
        '(a Set can go as an array, a Date as a number, an Error as its message)',
    );
  }
}
