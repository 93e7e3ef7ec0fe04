// The kit's own terms: process identifiers and references, as Erlang has them.
// They are plain immutable values, so they compare by content (see `samePid`),
// print like iex does, and cross between nodes through the codec.
import { util } from './builtins.ts';
const { inspect } = util;

/** A node's full name, `name@host`. */
export type NodeName = string;

/** The name a node has before `Node.start`, as in Erlang. */
export const NO_NODE: NodeName = 'nonode@nohost';

/** What pids and refs share: the node that minted them, a number there, and the node's incarnation. */
abstract class NodeLocalId {
  readonly node: NodeName;
  readonly id: number;
  /** Which boot of the node made it: a pid from an earlier run of the same name reaches nobody. */
  readonly creation: number;
  // Each subclass freezes itself once its own fields are set.
  constructor(node: NodeName, id: number, creation: number) {
    this.node = node;
    this.id = id;
    this.creation = creation;
  }
  protected abstract readonly tag: string;
  protected get shown(): string {
    return String(this.id);
  }
  toString(): string {
    return `#${this.tag}<${this.node}.${this.shown}>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** A process identifier, printed like iex prints one: `#PID<chris@host.42>`. */
export class Pid extends NodeLocalId {
  constructor(node: NodeName, id: number, creation: number) {
    super(node, id, creation);
    Object.freeze(this);
  }
  protected get tag(): string {
    return 'PID';
  }
}

/**
 * A unique reference (`make_ref()`): monitors and calls use them to match replies.
 * A reference an Erlang node made carries up to five 32-bit words that no single
 * number can hold: they travel in `words` (its `id` is then only derived from them,
 * for keys and printing), so it goes back to Erlang exactly as it came.
 */
export class Ref extends NodeLocalId {
  readonly words?: readonly number[];
  constructor(node: NodeName, id: number, creation: number, words?: readonly number[]) {
    super(node, id, creation);
    if (words !== undefined) this.words = Object.freeze([...words]);
    Object.freeze(this);
  }
  protected get tag(): string {
    return 'Reference';
  }
  protected override get shown(): string {
    // Erlang prints a reference's words last first: #Ref<0.3412233427.2843213828.143921>.
    return this.words ? [...this.words].reverse().join('.') : String(this.id);
  }
}

/** A registered name on a given node: the `{name, node}` destination of Erlang. */
export interface RemoteName {
  readonly name: string;
  readonly node: NodeName;
}

/** Where a message can go: a pid, a locally registered name, or `{name, node}`. */
export type Dest = Pid | string | RemoteName;

export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}

export function isRef(value: unknown): value is Ref {
  return value instanceof Ref;
}

export function isRemoteName(value: unknown): value is RemoteName {
  return (
    typeof value === 'object' && value !== null && !(value instanceof Pid) &&
    typeof (value as RemoteName).name === 'string' && typeof (value as RemoteName).node === 'string'
  );
}

export function samePid(a: Pid | undefined, b: Pid | undefined): boolean {
  return a !== undefined && b !== undefined && a.id === b.id && a.node === b.node && a.creation === b.creation;
}

export function sameRef(a: Ref | undefined, b: Ref | undefined): boolean {
  if (a === undefined || b === undefined || a.node !== b.node || a.creation !== b.creation) return false;
  // A ref with words is those words (its id is only derived from them).
  if (a.words || b.words) return sameWords(a.words, b.words);
  return a.id === b.id;
}

function sameWords(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.length === b.length && a.every((word, i) => word === b[i]);
}

/** Why a process ended: 'normal', 'kill', 'killed', 'shutdown', 'noproc', 'noconnection', an Error, or any term. */
export type ExitReason = unknown;

/** The message a monitor delivers: Erlang's `{:DOWN, ref, :process, object, reason}`. */
export interface DownMessage {
  readonly type: 'DOWN';
  readonly ref: Ref;
  readonly kind: 'process';
  readonly object: Pid | RemoteName;
  readonly reason: ExitReason;
}

/** The message a process that traps exits receives: Erlang's `{:EXIT, from, reason}`. */
export interface ExitMessage {
  readonly type: 'EXIT';
  readonly from: Pid;
  readonly reason: ExitReason;
}

/** What `NetKernel.monitorNodes` subscribers receive: Erlang's `{:nodeup, node}` and `{:nodedown, node}`. */
export interface NodeMessage {
  readonly type: 'nodeup' | 'nodedown';
  readonly node: NodeName;
}

export function isDown(msg: unknown): msg is DownMessage {
  return typeof msg === 'object' && msg !== null && (msg as DownMessage).type === 'DOWN' && isRef((msg as DownMessage).ref);
}

export function isExit(msg: unknown): msg is ExitMessage {
  return typeof msg === 'object' && msg !== null && (msg as ExitMessage).type === 'EXIT' && isPid((msg as ExitMessage).from);
}

/** A readable one-line form of an exit reason, for logs and error messages. */
export function formatReason(reason: ExitReason): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  if (typeof reason === 'string') return reason;
  return inspect(reason, { depth: 4, breakLength: Infinity });
}
