// Erlang's terms that JavaScript has no value of its own for: atoms, tuples, floats
// whose value is a whole number, improper lists, bitstrings, and the terms the kit
// only carries (ports, funs). Everything else maps onto plain JavaScript values;
// the whole mapping is in README.md ("The term mapping") and etfDecode.ts.
//
// Atoms are interned: `atom('ok') === atom('ok')`, so they compare with `===`,
// work as Map keys and in `switch`. Only atoms someone still holds stay in the
// table (Erlang's atom table grows forever; a long-lived kit node should not).
// node:util through process.getBuiltinModule, as every module a kit node loads (builtins.ts says why).
import { util } from '../builtins.ts';
const { inspect } = util;

const atomTable = new Map<string, WeakRef<Atom>>();
const forgetAtom = new FinalizationRegistry<string>((name) => {
  if (atomTable.get(name)?.deref() === undefined) atomTable.delete(name);
});

/** Whether `text` is well-formed Unicode (no lone surrogate), so that it has a UTF-8 form. */
export function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** The most characters an atom may have, as in Erlang. */
export const MAX_ATOM_CHARACTERS = 255;

/** An Erlang atom: `atom('ok')`. The same name is always the same object. */
export class Atom {
  readonly name: string;
  private constructor(name: string) {
    this.name = name;
    Object.freeze(this);
  }
  /** The atom called `name`; throws a RangeError for a name Erlang refuses. */
  static of(name: string): Atom {
    const held = atomTable.get(name)?.deref();
    if (held) return held;
    if ([...name].length > MAX_ATOM_CHARACTERS) throw new RangeError(`an atom has at most ${MAX_ATOM_CHARACTERS} characters (this one has ${[...name].length})`);
    if (!isWellFormed(name)) throw new RangeError('an atom name must be well-formed Unicode (it has a lone surrogate)');
    const made = new Atom(name);
    atomTable.set(name, new WeakRef(made));
    forgetAtom.register(made, name);
    return made;
  }
  /** As iex prints it: `:ok`, `:"hello world"`. */
  toString(): string {
    return /^[a-z_][A-Za-z0-9_@]*$/.test(this.name) ? `:${this.name}` : `:${JSON.stringify(this.name)}`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Erlang's atom `name`: `atom('ok')`, `atom('$gen_call')`. */
export function atom(name: string): Atom {
  return Atom.of(name);
}

/** What an atom decodes to: booleans, nil and undefined become JavaScript's own. */
export function atomValue(name: string): unknown {
  switch (name) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'nil':
      return null;
    case 'undefined':
      return undefined;
    default:
      return Atom.of(name);
  }
}

/** The name of the atom a decoded value came from, or undefined if it was no atom. */
export function atomName(value: unknown): string | undefined {
  if (value instanceof Atom) return value.name;
  if (value === true || value === false) return String(value);
  if (value === null) return 'nil';
  if (value === undefined) return 'undefined';
  return undefined;
}

/** An Erlang tuple: `tuple(atom('ok'), 42)` is `{ok, 42}`. Destructure it like an array: `const [tag, value] = t`. */
export class Tuple<T extends readonly unknown[] = readonly unknown[]> {
  readonly elements: T;
  constructor(elements: T) {
    this.elements = Object.freeze([...elements]) as unknown as T;
    Object.freeze(this);
  }
  get length(): number {
    return this.elements.length;
  }
  [Symbol.iterator](): Iterator<T[number]> {
    return this.elements[Symbol.iterator]();
  }
  toString(): string {
    return `{${this.elements.map((e) => inspect(e, { depth: 4, breakLength: Infinity })).join(', ')}}`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** The tuple of `elements`: `tuple(atom('ok'), value)`. */
export function tuple<T extends unknown[]>(...elements: T): Tuple<T> {
  return new Tuple(elements);
}

/**
 * An Erlang float whose value is a whole number (1.0, 0.0, 1.0e20). A JavaScript
 * number cannot say it is a float (1.0 === 1), and Erlang's 1.0 is not its 1, so such
 * a float comes as this object, and goes back as a float. Other floats (2.5) are
 * plain numbers, and so is -0.0 (-0 is no integer in Erlang either).
 */
export class ErlangFloat {
  readonly value: number;
  constructor(value: number) {
    if (!Number.isFinite(value)) throw new RangeError(`Erlang has no float ${value}`);
    this.value = value;
    Object.freeze(this);
  }
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return Number.isInteger(this.value) && Math.abs(this.value) < 1e21 ? `${this.value}.0` : String(this.value);
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** The Erlang float `value`, also when it is a whole number: `float(1)` is `1.0`. */
export function float(value: number): ErlangFloat {
  return new ErlangFloat(value);
}

/** A list whose last tail is not `[]`: Erlang's `[a, b | c]`. Proper lists are arrays. */
export class ImproperList {
  readonly items: readonly unknown[];
  readonly tail: unknown;
  constructor(items: readonly unknown[], tail: unknown) {
    if (items.length === 0) throw new RangeError('an improper list has at least one element before its tail');
    if (Array.isArray(tail) || tail instanceof ImproperList) throw new RangeError('the tail of an improper list is not a list (append the lists instead)');
    this.items = Object.freeze([...items]);
    this.tail = tail;
    Object.freeze(this);
  }
  toString(): string {
    return `[${this.items.map((e) => inspect(e, { depth: 4, breakLength: Infinity })).join(', ')} | ${inspect(this.tail, { depth: 4 })}]`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Erlang's `[...items | tail]`. */
export function improperList(items: readonly unknown[], tail: unknown): ImproperList {
  return new ImproperList(items, tail);
}

/** A bitstring whose length is not a whole number of bytes: `bits` (1-7) of its last byte count, from the top. */
export class BitString {
  readonly bytes: Uint8Array;
  readonly bits: number;
  constructor(bytes: Uint8Array, bits: number) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 7 || bytes.length === 0) {
      throw new RangeError('a bitstring has at least one byte and uses 1 to 7 bits of its last one (whole bytes are a binary: a string or a Uint8Array)');
    }
    const copy = Uint8Array.from(bytes);
    copy[copy.length - 1]! &= (0xff << (8 - bits)) & 0xff; // the unused bits are zero, as Erlang keeps them
    this.bytes = copy;
    this.bits = bits;
    Object.freeze(this);
  }
  toString(): string {
    const whole = [...this.bytes.subarray(0, -1)].map(String);
    const last = this.bytes[this.bytes.length - 1]! >> (8 - this.bits);
    return `<<${[...whole, `${last}:${this.bits}`].join(',')}>>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A term the kit carries but cannot use: a port, a fun (`fun erlang:abs/1`, a
 * closure). It keeps its encoded bytes, so it goes back to Erlang exactly as it came.
 */
export class ErlangOpaque {
  readonly kind: 'port' | 'fun' | 'export';
  /** The term in the external format, from its tag on (without the 131 version byte). */
  readonly bytes: Uint8Array;
  constructor(kind: 'port' | 'fun' | 'export', bytes: Uint8Array) {
    this.kind = kind;
    this.bytes = Uint8Array.from(bytes);
    Object.freeze(this);
  }
  toString(): string {
    return `#Erlang.${this.kind}<${this.bytes.length} bytes>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

export function isAtom(value: unknown, name?: string): value is Atom {
  return value instanceof Atom && (name === undefined || value.name === name);
}

export function isTuple(value: unknown, length?: number): value is Tuple {
  return value instanceof Tuple && (length === undefined || value.length === length);
}
