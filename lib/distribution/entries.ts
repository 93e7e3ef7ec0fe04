// The entries of a batch frame: one message or process signal each, a short tag
// first, then its fields. This file is both directions of their codec: a
// signal of this node becomes an entry (`toEntry`); an entry a peer sent is
// decoded and checked against its schema (`readEntry`), its type comes from
// that schema, and `deliver` hands it to the local processes.
import { z } from 'zod';
import { decode } from '../codec.ts';
import { incoming, type RemoteSignal } from '../process/signals.ts';
import { Pid, Ref, type NodeName } from '../terms.ts';
import { nodeName } from './frames.ts';

const pid = z.instanceof(Pid);
const ref = z.instanceof(Ref);
const remoteName = z.object({ name: z.string(), node: nodeName });
const int = z.number().int();

/** Each entry's schema, by tag: a message to a pid (`s`) or a name (`n`), link, unlink, exit, monitor, demonitor, DOWN. */
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
export type EntryTag = keyof typeof entrySchemas;
/** One entry, as its schema says: a tuple whose first element tells which. */
export type Entry = { [T in EntryTag]: z.infer<(typeof entrySchemas)[T]> }[EntryTag];

/** The entry that carries `signal` to another node. */
export function toEntry(signal: RemoteSignal): Entry {
  switch (signal.kind) {
    case 'send':
      return ['s', signal.to.id, signal.to.creation, signal.msg];
    case 'sendName':
      return ['n', signal.name, signal.msg];
    case 'link':
      return ['l', signal.from, signal.to];
    case 'unlink':
      return ['u', signal.from, signal.to];
    case 'exit':
      return ['x', signal.from, signal.to, signal.reason, signal.viaLink];
    case 'monitor':
      return ['m', signal.from, signal.to, signal.ref];
    case 'demonitor':
      return ['dm', signal.from, signal.to, signal.ref];
    case 'down':
      return ['D', signal.to, signal.ref, signal.object, signal.reason];
  }
}

/** Why an entry from a peer was refused. */
export class EntryError extends Error {
  override name = 'EntryError';
}

/** Decodes one entry of a batch a peer sent and checks it; throws EntryError if it is not a valid entry. */
export function readEntry(raw: unknown): Entry {
  let entry: unknown;
  try {
    entry = decode(raw);
  } catch (err) {
    throw new EntryError((err as Error).message);
  }
  const tag = Array.isArray(entry) ? entry[0] : undefined;
  if (typeof tag !== 'string' || !Object.hasOwn(entrySchemas, tag)) throw new EntryError(`bad entry ${JSON.stringify(tag) ?? 'without a tag'}`);
  const checked = entrySchemas[tag as EntryTag].safeParse(entry);
  if (!checked.success) throw new EntryError(`bad entry ${JSON.stringify(tag)}`);
  return checked.data;
}

/**
 * Hands an entry from `from` to the processes of this node. A peer may only speak
 * for its own processes: a link, unlink, exit or monitor claiming another node's
 * pid as its sender is dropped.
 */
export function deliver(from: NodeName, entry: Entry): void {
  switch (entry[0]) {
    case 's':
      incoming.send(entry[1], entry[2], entry[3]);
      return;
    case 'n':
      incoming.sendName(entry[1], entry[2]);
      return;
    case 'l':
      if (entry[1].node === from) incoming.link(entry[1], entry[2]);
      return;
    case 'u':
      if (entry[1].node === from) incoming.unlink(entry[1], entry[2]);
      return;
    case 'x':
      if (entry[1].node === from) incoming.exit(entry[1], entry[2], entry[3], entry[4]);
      return;
    case 'm':
      if (entry[1].node === from) incoming.monitor(entry[1], entry[2], entry[3]);
      return;
    case 'dm':
      incoming.demonitor(entry[2], entry[3]);
      return;
    case 'D':
      incoming.down(entry[1], entry[2], entry[3], entry[4]);
      return;
  }
}
