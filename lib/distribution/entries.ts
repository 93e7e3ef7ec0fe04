// The entries between nodes: one message or process signal each. This union is
// the language of the net kernel, whatever carries it: the process layer hands
// the kernel an entry for a process on another node (signals.ts), a connection
// hands it the entries a peer sent, decoded and checked (entryCodec.ts is the
// kit's own wire form of them; another transport brings its own), and `deliver`
// gives them to the processes of this node. The harness, the live view and the
// traces read entries through the predicates and `describe` here, never
// through an encoding.
import { encode } from '../codec.ts';
import { Atom, Tuple } from '../erlang/terms.ts';
import { incoming } from '../process/signals.ts';
import { formatReason, isPid, type NodeName, type Pid, type Ref, type RemoteName } from '../terms.ts';

/**
 * A message to a pid, or to a name registered on the receiving node. `from`, the sending
 * process, is what Erlang's distribution carries with a message (REG_SEND must name one);
 * the kit's own wire leaves it out, so an entry that came over it has none.
 */
export type MessageEntry =
  | { readonly kind: 'send'; readonly to: Pid; readonly msg: unknown; readonly from?: Pid }
  | { readonly kind: 'sendName'; readonly name: string; readonly msg: unknown; readonly from?: Pid };

/** A signal between processes: link, unlink, exit, monitor, demonitor, and the DOWN a monitor delivers. */
export type SignalEntry =
  | { readonly kind: 'link'; readonly from: Pid; readonly to: Pid }
  | { readonly kind: 'unlink'; readonly from: Pid; readonly to: Pid }
  | { readonly kind: 'exit'; readonly from: Pid; readonly to: Pid; readonly reason: unknown; readonly viaLink: boolean }
  | { readonly kind: 'monitor'; readonly from: Pid; readonly to: Pid | string; readonly ref: Ref }
  | { readonly kind: 'demonitor'; readonly from: Pid; readonly to: Pid | string; readonly ref: Ref }
  | { readonly kind: 'down'; readonly to: Pid; readonly ref: Ref; readonly object: Pid | RemoteName; readonly reason: unknown };

/** One entry: what goes from a process on one node to a process on another, in the order sent. */
export type Entry = MessageEntry | SignalEntry;

/** Whether the entry carries a message (to a pid or a registered name) rather than a signal. */
export function isMessage(entry: Entry): entry is MessageEntry {
  return entry.kind === 'send' || entry.kind === 'sendName';
}

/** A compiler check that a switch over entry kinds handled them all. */
function unhandled(entry: never): never {
  throw new Error(`an entry of an unknown kind: ${JSON.stringify((entry as { kind?: unknown }).kind)}`);
}

/**
 * Hands an entry from `from` to the processes of this node. A peer may only speak
 * for its own processes: a link, unlink, exit or monitor claiming another node's
 * pid as its sender is dropped.
 */
export function deliver(from: NodeName, entry: Entry): void {
  switch (entry.kind) {
    case 'send':
      incoming.send(entry.to.id, entry.to.creation, entry.msg);
      return;
    case 'sendName':
      incoming.sendName(entry.name, entry.msg);
      return;
    case 'link':
      if (entry.from.node === from) incoming.link(entry.from, entry.to);
      return;
    case 'unlink':
      if (entry.from.node === from) incoming.unlink(entry.from, entry.to);
      return;
    case 'exit':
      if (entry.from.node === from) incoming.exit(entry.from, entry.to, entry.reason, entry.viaLink);
      return;
    case 'monitor':
      if (entry.from.node === from) incoming.monitor(entry.from, entry.to, entry.ref);
      return;
    case 'demonitor':
      incoming.demonitor(entry.to, entry.ref);
      return;
    case 'down':
      incoming.down(entry.to, entry.ref, entry.object, entry.reason);
      return;
    default:
      return unhandled(entry);
  }
}

/** What a behaviour wraps its messages in, unwrapped for people: GenServer's `cast {ping: 1}`. */
export type Envelope = (msg: unknown) => { readonly label: string; readonly content: unknown } | undefined;

export interface DescribeOptions {
  /** Names the envelope a message travels in (GenServer's `genServerEnvelope`); without it, the message as it is. */
  readonly unwrap?: Envelope;
  /** The longest description, in characters; longer ones end in `…`. Default 44, a label in a picture. */
  readonly maxChars?: number;
}

/**
 * An entry in a few words, for people (traces, the live view): a message as
 * `consumer: cast {ping: 1}` (to a registered name) or `pid: {n: 3}` (to a pid),
 * a signal as `link #PID<a@host.4> -> #PID<b@host.7>`.
 */
export function describe(entry: Entry, options: DescribeOptions = {}): string {
  return clip(words(entry, options.unwrap), options.maxChars ?? 44);
}

function words(entry: Entry, unwrap: Envelope | undefined): string {
  switch (entry.kind) {
    case 'send':
      return `pid: ${content(entry.msg, unwrap)}`;
    case 'sendName':
      return `${entry.name}: ${content(entry.msg, unwrap)}`;
    case 'link':
    case 'unlink':
      return `${entry.kind} ${entry.from.toString()} -> ${entry.to.toString()}`;
    case 'exit':
      return `exit ${entry.from.toString()} -> ${entry.to.toString()}: ${formatReason(entry.reason)}`;
    case 'monitor':
    case 'demonitor':
      return `${entry.kind} ${entry.from.toString()} -> ${target(entry.to)}`;
    case 'down':
      return `DOWN ${target(entry.object)} -> ${entry.to.toString()}: ${formatReason(entry.reason)}`;
    default:
      return unhandled(entry);
  }
}

const target = (to: Pid | string | RemoteName): string => (typeof to === 'string' ? to : isPid(to) ? to.toString() : `{${to.name}, ${to.node}}`);

function content(msg: unknown, unwrap: Envelope | undefined): string {
  const envelope = unwrap?.(msg);
  return envelope ? `${envelope.label} ${compact(envelope.content)}` : compact(msg);
}

/** A value as short JSON without quotes around keys (`{ping: 1}`), the kit's terms as the codec writes them. */
function compact(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  // Erlang's terms as iex prints them: {:echo, #PID<ben@host.97>, :hello}.
  if (value instanceof Tuple || value instanceof Atom) return value.toString();
  let plain: unknown;
  try {
    plain = encode(value);
  } catch {
    return String(value);
  }
  const json = JSON.stringify(plain) ?? String(value);
  return json.replace(/"([A-Za-z_$][\w$]*)":/g, '$1: ').replace(/,"/g, ', "').replace(/,(?=[A-Za-z_$])/g, ', ');
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
