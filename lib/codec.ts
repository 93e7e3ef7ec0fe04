// The external term format of the kit: what may cross between nodes and how.
// Plain JSON values pass as they are; the kit's terms and the JavaScript values
// JSON cannot carry travel as objects tagged by a `$` key. A plain object that
// itself has a `$` key is wrapped, so no user data is ever mistaken for a tag.
// Encoding walks the whole value first, so what cannot cross (a function, an
// instance of an unknown class) throws at the sender with the path to it.
// The Erlang terms JavaScript lacks (erlang/terms.ts: atoms, tuples, whole
// floats, improper lists, bitstrings, ports and funs) cross too, so a term that
// came from an Erlang node can be sent on to any process, here or on a kit node.
import { util } from './builtins.ts';
import { Atom, BitString, ErlangFloat, ErlangOpaque, ImproperList, Tuple } from './erlang/terms.ts';
import { localNode } from './localNode.ts';
import { Pid, Ref } from './terms.ts';
const { types } = util;

export class CodecError extends Error {
  override name = 'CodecError';
}

/** Deeper than this is treated as a cycle: a message is data, not a graph. */
const MAX_DEPTH = 256;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value === 'symbol') return `a symbol (${String(value)})`;
  const ctor = (value as object).constructor;
  return `an instance of ${ctor?.name ?? 'an unknown class'}`;
}

/**
 * A plain object, also from another realm (the shell's REPL context, a vm): its prototype is
 * null or an `Object.prototype`, which itself has no prototype. Checks that use `instanceof` or
 * compare with this realm's `Object.prototype` would refuse such objects.
 */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || (Object.getPrototypeOf(proto) === null && proto.constructor?.name === 'Object');
}

/**
 * What cannot cross, and where it sits: each container it was found in adds its step as the
 * throw unwinds through it, so no path is built for the values that can cross (every one of
 * them, on every send).
 */
class Unsendable {
  readonly words: (path: string) => string;
  readonly steps: string[] = [];
  constructor(words: (path: string) => string) {
    this.words = words;
  }
}

/** Adds the step `step` to the path of what cannot cross; any other error passes on as it is. */
function through(err: unknown, step: string): unknown {
  if (err instanceof Unsendable) err.steps.push(step);
  return err;
}

/** Sets `key` on a fresh object: defining, since assigning a "__proto__" key would set its prototype. */
function put(out: { [key: string]: Json }, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function encodeValue(value: unknown, depth: number): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : { $: 'num', v: String(value) };
    case 'bigint':
      return { $: 'big', v: value.toString() };
    case 'undefined':
      return { $: 'undef' };
    case 'object':
      break;
    default:
      throw new Unsendable((path) => `cannot send ${describe(value)} at ${path}: only data crosses between nodes, not code`);
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) throw new Unsendable((path) => `cannot send the value at ${path}: nested deeper than ${MAX_DEPTH} levels (is it cyclic?)`);
  const next = depth + 1;
  if (Array.isArray(value)) {
    const out: Json[] = new Array(value.length);
    let i = 0;
    try {
      for (; i < value.length; i++) out[i] = encodeValue(value[i], next);
    } catch (err) {
      throw through(err, `[${i}]`);
    }
    return out;
  }
  if (isPlainObject(value)) {
    const out: { [key: string]: Json } = {};
    const record = value as Record<string, unknown>;
    let tagged = false;
    let at = '';
    try {
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        at = key;
        if (key === '$') tagged = true;
        put(out, key, encodeValue(record[key], next));
      }
    } catch (err) {
      throw through(err, `.${at}`);
    }
    return tagged ? { $: 'obj', v: out } : out;
  }
  // A pid or ref minted before the node had a name travels under the name it has now.
  // This node's own pids and refs cross under its current name, whatever name they were minted under.
  if (value instanceof Pid) return { $: 'pid', n: localNode.owns(value) ? localNode.name : value.node, i: value.id, c: value.creation };
  if (value instanceof Ref) {
    const node = localNode.owns(value) ? localNode.name : value.node;
    // An Erlang node's reference keeps the words it came with (see Ref).
    return value.words ? { $: 'ref', n: node, i: value.id, c: value.creation, w: [...value.words] } : { $: 'ref', n: node, i: value.id, c: value.creation };
  }
  if (types.isMap(value)) {
    const entries: Json[] = [];
    let i = 0;
    for (const [k, v] of value) {
      let key: Json;
      try {
        key = encodeValue(k, next);
      } catch (err) {
        throw through(err, `<key ${i}>`);
      }
      try {
        entries.push([key, encodeValue(v, next)]);
      } catch (err) {
        throw through(err, `<value ${i}>`);
      }
      i++;
    }
    return { $: 'map', v: entries };
  }
  if (types.isSet(value)) {
    const items: Json[] = [];
    let i = 0;
    try {
      for (const v of value) {
        items.push(encodeValue(v, next));
        i++;
      }
    } catch (err) {
      throw through(err, `<item ${i}>`);
    }
    return { $: 'set', v: items };
  }
  if (types.isDate(value)) return { $: 'date', v: value.getTime() };
  if (types.isUint8Array(value)) {
    return { $: 'bin', v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  // Erlang's terms (they come from Erlang nodes, and kit code builds them to answer them).
  if (value instanceof Atom) return { $: 'atom', v: value.name };
  // A tuple's elements and an improper list's items are an array, one level down, whose steps name the index.
  if (value instanceof Tuple) return { $: 'tuple', v: encodeValue(value.elements, depth) };
  if (value instanceof ErlangFloat) return { $: 'float', v: value.value };
  if (value instanceof ImproperList) {
    const items = encodeValue(value.items, depth);
    try {
      return { $: 'ilist', v: items, t: encodeValue(value.tail, next) };
    } catch (err) {
      throw through(err, '<tail>');
    }
  }
  if (value instanceof BitString) return { $: 'bits', v: Buffer.from(value.bytes).toString('base64'), b: value.bits };
  if (value instanceof ErlangOpaque) return { $: 'opaque', k: value.kind, v: Buffer.from(value.bytes).toString('base64') };
  if (value instanceof Error || types.isNativeError(value)) {
    const code = (value as { code?: unknown }).code;
    return {
      $: 'err',
      name: value.name,
      message: value.message,
      stack: value.stack ?? '',
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  throw new Unsendable(
    (path) =>
      `cannot send ${describe(value)} at ${path}: the codec knows plain objects, arrays, Map, Set, Date, bigint, ` +
      'Uint8Array, Error, Pid and Ref; send its data as a plain object instead',
  );
}

function encodeTerm(term: unknown): Json {
  try {
    return encodeValue(term, 0);
  } catch (err) {
    if (err instanceof Unsendable) throw new CodecError(err.words(`message${err.steps.reverse().join('')}`));
    throw err;
  }
}

/** Turns a term into a JSON-safe value; throws CodecError naming what cannot cross and where. */
export function encode(term: unknown): Json {
  return encodeTerm(term);
}

/** Turns a term into the JSON text that goes on the wire. */
export function encodeToString(term: unknown): string {
  return JSON.stringify(encodeTerm(term));
}

function field(tagged: Record<string, unknown>, key: string, type: 'string' | 'number'): never | string | number {
  const v = tagged[key];
  if (typeof v !== type) throw new CodecError(`malformed ${String(tagged.$)} term: field ${key} is not a ${type}`);
  return v as string | number;
}

function decodeTagged(tagged: Record<string, unknown>, depth: number): unknown {
  switch (tagged.$) {
    case 'pid':
      return new Pid(field(tagged, 'n', 'string') as string, field(tagged, 'i', 'number') as number, field(tagged, 'c', 'number') as number);
    case 'ref': {
      const words = tagged.w;
      if (words !== undefined && !(Array.isArray(words) && words.length <= 5 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff))) {
        throw new CodecError('malformed ref term: field w is not a list of at most five 32-bit words');
      }
      return new Ref(field(tagged, 'n', 'string') as string, field(tagged, 'i', 'number') as number, field(tagged, 'c', 'number') as number, words as number[] | undefined);
    }
    case 'num': {
      const v = field(tagged, 'v', 'string');
      if (v === 'NaN') return NaN;
      if (v === 'Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
      if (v === '0') return -0; // String(-0) is '0'
      throw new CodecError(`malformed num term: ${String(v)}`);
    }
    case 'big':
      try {
        return BigInt(field(tagged, 'v', 'string'));
      } catch {
        throw new CodecError('malformed big term');
      }
    case 'undef':
      return undefined;
    case 'map': {
      if (!Array.isArray(tagged.v)) throw new CodecError('malformed map term');
      const out = new Map<unknown, unknown>();
      for (const pair of tagged.v) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new CodecError('malformed map entry');
        out.set(decodeValue(pair[0], depth + 1), decodeValue(pair[1], depth + 1));
      }
      return out;
    }
    case 'set': {
      if (!Array.isArray(tagged.v)) throw new CodecError('malformed set term');
      return new Set(decodeArray(tagged.v, depth + 1));
    }
    case 'date':
      if (tagged.v !== null && typeof tagged.v !== 'number') throw new CodecError('malformed date term');
      return new Date(tagged.v ?? NaN);
    case 'bin':
      return new Uint8Array(Buffer.from(field(tagged, 'v', 'string') as string, 'base64'));
    case 'err': {
      const err = new Error(field(tagged, 'message', 'string') as string);
      err.name = field(tagged, 'name', 'string') as string;
      err.stack = typeof tagged.stack === 'string' ? tagged.stack : `${err.name}: ${err.message}`;
      if (typeof tagged.code === 'string') (err as { code?: string }).code = tagged.code;
      return err;
    }
    case 'atom':
      try {
        return Atom.of(field(tagged, 'v', 'string') as string);
      } catch (err) {
        throw new CodecError(`malformed atom term: ${(err as Error).message}`);
      }
    case 'tuple':
      if (!Array.isArray(tagged.v)) throw new CodecError('malformed tuple term');
      return new Tuple(decodeValue(tagged.v, depth + 1) as unknown[]);
    case 'float': {
      const v = field(tagged, 'v', 'number') as number;
      if (!Number.isFinite(v)) throw new CodecError('malformed float term');
      return new ErlangFloat(v);
    }
    case 'ilist': {
      if (!Array.isArray(tagged.v)) throw new CodecError('malformed improper list term');
      try {
        return new ImproperList(decodeValue(tagged.v, depth + 1) as unknown[], decodeValue(tagged.t, depth + 1));
      } catch (err) {
        if (err instanceof CodecError) throw err;
        throw new CodecError(`malformed improper list term: ${(err as Error).message}`);
      }
    }
    case 'bits':
      try {
        return new BitString(new Uint8Array(Buffer.from(field(tagged, 'v', 'string') as string, 'base64')), field(tagged, 'b', 'number') as number);
      } catch (err) {
        if (err instanceof CodecError) throw err;
        throw new CodecError(`malformed bitstring term: ${(err as Error).message}`);
      }
    case 'opaque': {
      const kind = tagged.k;
      if (kind !== 'port' && kind !== 'fun' && kind !== 'export') throw new CodecError('malformed opaque term');
      return new ErlangOpaque(kind, new Uint8Array(Buffer.from(field(tagged, 'v', 'string') as string, 'base64')));
    }
    case 'obj': {
      const v = tagged.v;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CodecError('malformed obj term');
      return decodePlain(v as Record<string, unknown>, depth + 1);
    }
    default:
      throw new CodecError(`unknown term tag ${JSON.stringify(tagged.$)}`);
  }
}

// Decoding works in place: the value is what JSON.parse (or `encode`) just made, so its
// arrays and plain objects become the term's own, and only the tagged ones are replaced.
// A plain object from JSON.parse holds every key as an own data property, a "__proto__"
// key too (JSON.parse defines, it never assigns), so reusing it is as safe as copying it.

function decodeArray(arr: unknown[], depth: number): unknown[] {
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v === 'object' && v !== null) arr[i] = decodeValue(v, depth + 1);
  }
  return arr;
}

function decodePlain(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  for (const key in obj) {
    const v = obj[key];
    if (typeof v === 'object' && v !== null) {
      const decoded = decodeValue(v, depth + 1);
      // A tagged value is replaced; defining (not assigning) keeps a "__proto__" key an own property.
      if (decoded === v) continue;
      if (key === '__proto__') Object.defineProperty(obj, key, { value: decoded, enumerable: true, writable: true, configurable: true });
      else obj[key] = decoded;
    }
  }
  return obj;
}

function decodeValue(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH + 2) throw new CodecError('term nested too deeply');
  if (Array.isArray(value)) return decodeArray(value, depth);
  const obj = value as Record<string, unknown>;
  if ('$' in obj) return decodeTagged(obj, depth);
  return decodePlain(obj, depth);
}

/**
 * Turns a JSON-safe value from the wire back into a term; throws CodecError if it is malformed.
 * It takes the value over (its arrays and objects become the term's): pass what JSON.parse or
 * `encode` just made, nothing anybody else holds.
 */
export function decode(json: unknown): unknown {
  return decodeValue(json, 0);
}

/** A deep copy through the codec: what a local send delivers, so both sides never share mutable state. */
export function copyTerm<T>(term: T): T {
  return decode(encode(term)) as T;
}
