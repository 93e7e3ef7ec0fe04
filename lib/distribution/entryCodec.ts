// The kit's own wire form of an entry (entries.ts): a JSON array, a short tag
// first, then its fields, the terms in it encoded by the codec. The only code
// that reads or writes that text: the kernel encodes an entry once, when it is
// sent (so what cannot cross throws at the sender, and what is sent is what the
// sender had then), connections carry the encoded entries in batch frames
// without looking inside, and an entry a peer sent is decoded and checked here
// against its tag's schema before anything acts on it.
//
// The zod schemas below are the specification; `isWire` is the same rules written
// out by hand, which is what checks each entry on the hot path (a zod parse costs
// more than the rest of reading an entry, and copies the tuple it checks). A
// property test (test/lib/wireChecks.test.ts) keeps the two in agreement on
// generated valid and invalid entries.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { decode, encodeToString } from '../codec.ts';
import { localNode } from '../localNode.ts';
import { Pid, Ref } from '../terms.ts';
import type { Entry } from './entries.ts';
import { isNodeName, nodeName } from './frames.ts';

/** An entry in its wire form: a connection puts it in a batch as it is. */
export type EncodedEntry = string & { readonly __wire: 'entry' };

const pid = z.instanceof(Pid);
const ref = z.instanceof(Ref);
const remoteName = z.object({ name: z.string(), node: nodeName });
const int = z.number().int();

/** Each entry's wire form, by tag: a message to a pid (`s`) or a name (`n`), link, unlink, exit, monitor, demonitor, DOWN. */
export const entrySchemas = {
  s: z.tuple([z.literal('s'), int, int, z.unknown()]),
  n: z.tuple([z.literal('n'), z.string(), z.unknown()]),
  l: z.tuple([z.literal('l'), pid, pid]),
  u: z.tuple([z.literal('u'), pid, pid]),
  x: z.tuple([z.literal('x'), pid, pid, z.unknown(), z.boolean()]),
  m: z.tuple([z.literal('m'), pid, z.union([pid, z.string()]), ref]),
  dm: z.tuple([z.literal('dm'), pid, z.union([pid, z.string()]), ref]),
  D: z.tuple([z.literal('D'), pid, ref, z.union([pid, remoteName]), z.unknown()]),
};
type Tag = keyof typeof entrySchemas;
type Wire = { [T in Tag]: z.infer<(typeof entrySchemas)[T]> }[Tag];

/** zod's `z.number().int()`: a safe integer. */
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isPidOrName = (v: unknown) => v instanceof Pid || typeof v === 'string';
const isRemoteName = (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { name?: unknown }).name === 'string' && isNodeName((v as { node?: unknown }).node);

/** Whether a decoded entry passes its tag's schema (`entrySchemas`): the same rules, by hand. */
export function isWire(w: unknown): w is Wire {
  if (!Array.isArray(w)) return false;
  switch (w[0]) {
    case 's':
      return w.length === 4 && isInt(w[1]) && isInt(w[2]);
    case 'n':
      return w.length === 3 && typeof w[1] === 'string';
    case 'l':
    case 'u':
      return w.length === 3 && w[1] instanceof Pid && w[2] instanceof Pid;
    case 'x':
      return w.length === 5 && w[1] instanceof Pid && w[2] instanceof Pid && typeof w[4] === 'boolean';
    case 'm':
    case 'dm':
      return w.length === 4 && w[1] instanceof Pid && isPidOrName(w[2]) && w[3] instanceof Ref;
    case 'D':
      return w.length === 5 && w[1] instanceof Pid && w[2] instanceof Ref && (w[3] instanceof Pid || isRemoteName(w[3]));
    default:
      return false;
  }
}

function toWire(entry: Entry): Wire {
  switch (entry.kind) {
    case 'send':
      return ['s', entry.to.id, entry.to.creation, entry.msg];
    case 'sendName':
      return ['n', entry.name, entry.msg];
    case 'link':
      return ['l', entry.from, entry.to];
    case 'unlink':
      return ['u', entry.from, entry.to];
    case 'exit':
      return ['x', entry.from, entry.to, entry.reason, entry.viaLink];
    case 'monitor':
      return ['m', entry.from, entry.to, entry.ref];
    case 'demonitor':
      return ['dm', entry.from, entry.to, entry.ref];
    case 'down':
      return ['D', entry.to, entry.ref, entry.object, entry.reason];
    default: {
      const unknown: never = entry;
      throw new Error(`an entry of an unknown kind: ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

/** A message to a pid names it by number and creation only: it is for a process of the receiving node. */
function fromWire(wire: Wire): Entry {
  switch (wire[0]) {
    case 's':
      return { kind: 'send', to: new Pid(localNode.name, wire[1], wire[2]), msg: wire[3] };
    case 'n':
      return { kind: 'sendName', name: wire[1], msg: wire[2] };
    case 'l':
      return { kind: 'link', from: wire[1], to: wire[2] };
    case 'u':
      return { kind: 'unlink', from: wire[1], to: wire[2] };
    case 'x':
      return { kind: 'exit', from: wire[1], to: wire[2], reason: wire[3], viaLink: wire[4] };
    case 'm':
      return { kind: 'monitor', from: wire[1], to: wire[2], ref: wire[3] };
    case 'dm':
      return { kind: 'demonitor', from: wire[1], to: wire[2], ref: wire[3] };
    case 'D': {
      // A remote name is read as zod reads it: its two fields, nothing else the peer put beside them.
      const object = wire[3] instanceof Pid ? wire[3] : { name: wire[3].name, node: wire[3].node };
      return { kind: 'down', to: wire[1], ref: wire[2], object, reason: wire[4] };
    }
  }
}

/** The wire form of `entry`; throws CodecError for what cannot cross between nodes. */
export function encodeEntry(entry: Entry): EncodedEntry {
  return encodeToString(toWire(entry)) as EncodedEntry;
}

/**
 * Whether an encoded entry may wait for the next batch: a demonitor, which nobody waits for
 * (the monitor is gone on this side already; a DOWN that crosses it is dropped here). So the
 * demonitor that ends a GenServer call travels with what is sent next, not in a frame of its own.
 */
export function canWait(entry: EncodedEntry): boolean {
  return entry.startsWith('["dm",');
}

/** Why an entry from a peer was refused. */
export class EntryError extends Error {
  override name = 'EntryError';
}

/** Decodes one entry of a batch a peer sent and checks it; throws EntryError if it is not a valid entry. */
export function readEntry(raw: unknown): Entry {
  let wire: unknown;
  try {
    wire = decode(raw);
  } catch (err) {
    throw new EntryError((err as Error).message);
  }
  if (isWire(wire)) return fromWire(wire);
  const tag = Array.isArray(wire) ? wire[0] : undefined;
  if (typeof tag !== 'string' || !Object.hasOwn(entrySchemas, tag)) throw new EntryError(`bad entry ${JSON.stringify(tag) ?? 'without a tag'}`);
  throw new EntryError(`bad entry ${JSON.stringify(tag)}`);
}

/**
 * What a trace keeps of an entry's wire form: a short hash of it, which the sending and the
 * receiving node compute alike (so a trace joins each send to its delivery), and the text,
 * cut to `maxChars` (ending in `…`), for tools that read trace files.
 */
export function wireTrace(entry: Entry, maxChars: number): { hash: string; text: string } {
  const text = encodeEntry(entry);
  return {
    hash: createHash('sha1').update(text).digest('hex').slice(0, 12),
    text: text.length > maxChars ? `${text.slice(0, maxChars)}…` : text,
  };
}

/** The entry a trace file kept (wireTrace's text), if it kept all of it; undefined for a cut or broken one. */
export function parseEntryText(text: string): Entry | undefined {
  try {
    return readEntry(JSON.parse(text));
  } catch {
    return undefined;
  }
}
