// Erlang's exact equality (=:=) over the term mapping: whether two JavaScript values
// are the same Erlang term. Several values can stand for one term (1 and 1n; "abc"
// and its UTF-8 bytes; `{ ok: 1 }` and a Map with the atom key ok; 2.5 and
// float(2.5)), so this compares what they mean, not their shape. Floats compare
// bit for bit (-0.0 is not 0.0, as in OTP 27; OTP 25's =:= still took them for one).
import { util } from '../builtins.ts';
import { Pid, Ref, samePid, sameRef } from '../terms.ts';
import { Atom, BitString, ErlangFloat, ErlangOpaque, ImproperList, Tuple, atomName } from './terms.ts';

const { types } = util;

type Number_ = { int: bigint } | { float: number };

function asNumber(v: unknown): Number_ | undefined {
  if (typeof v === 'bigint') return { int: v };
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? { int: BigInt(v) } : { float: v };
  if (v instanceof ErlangFloat) return { float: v.value };
  return undefined;
}

function asBinary(v: unknown): Uint8Array | undefined {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (types.isUint8Array(v)) return v;
  return undefined;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

function asMapEntries(v: unknown): Array<[unknown, unknown]> | undefined {
  if (types.isMap(v)) return [...v.entries()];
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && isPlainObject(v) && !(v instanceof Atom)) {
    return Object.entries(v).map(([k, value]) => [Atom.of(k), value]);
  }
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => termEquals(item, b[i]));
}

/** Whether `a` and `b` are the same Erlang term (Erlang's =:=, floats bit for bit). */
export function termEquals(a: unknown, b: unknown): boolean {
  if (a === b) return Object.is(a, b); // 0 === -0, but one is the integer 0 and the other the float -0.0
  const atomA = a instanceof Atom || typeof a === 'boolean' || a === null || a === undefined ? atomName(a) : undefined;
  const atomB = b instanceof Atom || typeof b === 'boolean' || b === null || b === undefined ? atomName(b) : undefined;
  if (atomA !== undefined || atomB !== undefined) return atomA === atomB;
  const numA = asNumber(a);
  const numB = asNumber(b);
  if (numA || numB) {
    if (!numA || !numB) return false;
    if ('int' in numA) return 'int' in numB && numA.int === numB.int;
    return 'float' in numB && Object.is(numA.float, numB.float);
  }
  const binA = asBinary(a);
  const binB = asBinary(b);
  if (binA || binB) return !!binA && !!binB && sameBytes(binA, binB);
  if (a instanceof Pid || b instanceof Pid) return a instanceof Pid && b instanceof Pid && samePid(a, b);
  if (a instanceof Ref || b instanceof Ref) return a instanceof Ref && b instanceof Ref && sameRef(a, b);
  if (a instanceof Tuple || b instanceof Tuple) return a instanceof Tuple && b instanceof Tuple && sameList(a.elements, b.elements);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameList(a, b);
  if (a instanceof ImproperList || b instanceof ImproperList) {
    return a instanceof ImproperList && b instanceof ImproperList && sameList(a.items, b.items) && termEquals(a.tail, b.tail);
  }
  if (a instanceof BitString || b instanceof BitString) return a instanceof BitString && b instanceof BitString && a.bits === b.bits && sameBytes(a.bytes, b.bytes);
  if (a instanceof ErlangOpaque || b instanceof ErlangOpaque) {
    return a instanceof ErlangOpaque && b instanceof ErlangOpaque && a.kind === b.kind && sameBytes(a.bytes, b.bytes);
  }
  const mapA = asMapEntries(a);
  const mapB = asMapEntries(b);
  if (mapA && mapB) {
    if (mapA.length !== mapB.length) return false;
    const unmatched = [...mapB];
    for (const [key, value] of mapA) {
      const i = unmatched.findIndex(([k]) => termEquals(key, k));
      if (i < 0 || !termEquals(value, unmatched[i]![1])) return false;
      unmatched.splice(i, 1);
    }
    return true;
  }
  return false;
}
