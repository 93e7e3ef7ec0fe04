// A node's record of what happened on its links, for reading after a failed
// test: sends, deliveries, dropped/duplicated/delayed messages, nodes coming and
// going, partitions and heals. Every event carries the host's monotonic clock in
// microseconds (all processes of one host read the same one, so the nodes of a
// local cluster agree to the microsecond) and the node's own sequence number;
// a send and its delivery share `link` and `hash`. The test harness's own
// traffic (its rpc calls into the nodes and their replies) is marked `harness`
// as it is recorded, so a picture can show the nodes' own messages first.
import { describe, isMessage, type Entry } from '../distribution/entries.ts';
import { parseEntryText, wireTrace } from '../distribution/entryCodec.ts';
import { genServerEnvelope } from '../genServer.ts';
import { localNode } from '../localNode.ts';
import type { NodeName, Ref } from '../terms.ts';

export type TraceKind = 'send' | 'deliver' | 'drop' | 'duplicate' | 'delay' | 'nodeup' | 'nodedown' | 'partition' | 'heal';

export interface TraceEvent {
  /**
   * Microseconds on the host's monotonic clock (counted from an arbitrary point, such as boot):
   * every process of the host reads the same clock, so the events of a local cluster merge in
   * their true order. Only differences mean something; clocks of two machines do not compare.
   */
  readonly us: number;
  readonly node: NodeName;
  /** This node's event counter: orders events of one node even within a microsecond. */
  readonly seq: number;
  readonly kind: TraceKind;
  /** The other node: receiver of a send, sender of a delivery, the node that came or went. */
  readonly peer?: NodeName;
  /** "from->to" for message events. */
  readonly link?: string;
  /** A short hash of the message entry: matches a send to its delivery. */
  readonly hash?: string;
  /** The message entry in its wire form, abbreviated (for tools). */
  readonly msg?: string;
  /** The message in a few words, for people: "consumer: cast {ping: 1}". */
  readonly what?: string;
  /**
   * The test harness's own traffic, not the nodes' code: an rpc call made by the node that
   * collects the traces (a test's manager node: the harness's agent calls, the probes a test
   * runs on a node), and the reply to it. Trace pages hide it until asked.
   */
  readonly harness?: true;
  readonly detail?: unknown;
}

const LIMIT = 200_000;

// Not performance.timeOrigin + performance.now(): each process pins its timeOrigin to the
// wall clock once, at its start, and on a busy machine those pins were measured 34 ms apart
// across 30 processes, enough to draw a delivery before its send. The monotonic clock
// (process.hrtime) is one clock for the whole host.
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

const MSG_CHARS = 160;

/** What a trace records of a message entry, sent or delivered: its hash, its wire text (abbreviated), a few words, and whether it is the harness's. */
export function messageFields(entry: Entry): Pick<TraceEvent, 'hash' | 'msg' | 'what' | 'harness'> {
  const { hash, text } = wireTrace(entry, MSG_CHARS);
  return { hash, msg: text, what: whatOf(entry), ...(isHarness(entry) ? { harness: true } : {}) };
}

// ---- the harness's traffic

/** rpc's server, registered under this name on every node (rpc.ts). */
const REX = 'rex';
/** The module of the functions the harness calls on every node to steer it: partitions, faults, traces. */
const AGENT_MODULE = new URL('./agent.ts', import.meta.url).href;
const REMEMBERED_CALLS = 4096;

/**
 * The node that collects this node's trace: the one that calls the harness's agent (a test's
 * manager). This node learns it from the agent calls it sends or is delivered, which come
 * before any trace is taken, since taking one is such a call.
 */
let collector: NodeName | undefined;
/** Who made each rpc call seen here, by its ref, so that its reply (sent or delivered later, maybe in the next trace) is known too. */
const rpcCallers = new Map<string, NodeName>();

const refKey = (ref: Ref) => `${ref.toString()}/${ref.creation}`;

interface RpcRequest { readonly module?: unknown; readonly fun?: unknown; readonly args?: unknown }

/** The rpc request an entry carries, if it is a call to rex. */
function rpcRequest(entry: Entry): RpcRequest | undefined {
  if (entry.kind !== 'sendName' || entry.name !== REX) return undefined;
  const envelope = genServerEnvelope(entry.msg);
  return envelope?.label === 'call' && typeof envelope.content === 'object' && envelope.content !== null ? (envelope.content as RpcRequest) : undefined;
}

/** Whether a message is an rpc call made by the collecting node, or the reply to one. */
function isHarness(entry: Entry): boolean {
  if (!isMessage(entry)) return false;
  const envelope = genServerEnvelope(entry.msg);
  if (!envelope?.ref) return false;
  const key = refKey(envelope.ref);
  const request = rpcRequest(entry);
  if (request) {
    const caller = envelope.ref.node;
    if (request.module === AGENT_MODULE) collector = caller;
    if (rpcCallers.size >= REMEMBERED_CALLS) rpcCallers.delete(rpcCallers.keys().next().value as string);
    rpcCallers.set(key, caller);
    return caller === collector;
  }
  return envelope.label === 'reply' && collector !== undefined && rpcCallers.get(key) === collector;
}

/** As long as describe's words for any other message (a label in a picture). */
const WHAT_CHARS = 44;

/** An rpc call in words: `rex: call agent.ts takeTrace()`, not the start of the module's file URL. */
function whatOf(entry: Entry, maxChars = WHAT_CHARS): string {
  const request = rpcRequest(entry);
  if (!request || typeof request.module !== 'string' || typeof request.fun !== 'string') return describe(entry, { unwrap: genServerEnvelope, maxChars });
  const module = request.module.split('/').pop() || request.module;
  // Each argument as describe writes a term.
  const term = (value: unknown) => describe({ kind: 'sendName', name: REX, msg: value }, { maxChars: 200 }).slice(REX.length + 2);
  const args = Array.isArray(request.args) ? request.args.map(term).join(', ') : '';
  const words = `${REX}: call ${module} ${request.fun}(${args})`;
  return words.length > maxChars ? `${words.slice(0, maxChars - 1)}…` : words;
}

/**
 * The words for a message of a trace written before nodes recorded `what`, from the wire
 * text it kept: the same words a node records, or the text itself when it was cut.
 * `maxChars` allows longer words than a trace keeps (the live view's list of messages).
 */
export function describeKeptMessage(msg: string, maxChars = WHAT_CHARS): string {
  const entry = parseEntryText(msg);
  return entry ? whatOf(entry, maxChars) : msg.length > maxChars ? `${msg.slice(0, maxChars - 1)}…` : msg;
}

export class TraceRecorder {
  private events: TraceEvent[] = [];
  private seq = 0;
  dropped = 0;

  record(kind: TraceKind, fields: Omit<TraceEvent, 'us' | 'node' | 'seq' | 'kind'> = {}): void {
    if (this.events.length >= LIMIT) {
      this.dropped++;
      return;
    }
    this.events.push({ us: nowUs(), node: localNode.name, seq: this.seq++, kind, ...fields });
  }

  /** Hands over the events recorded so far and starts afresh. */
  take(): TraceEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

/** One cluster's events in one order: by clock, then by node and sequence. */
export function mergeTraces(perNode: TraceEvent[][]): TraceEvent[] {
  return perNode.flat().sort((a, b) => a.us - b.us || (a.node < b.node ? -1 : a.node > b.node ? 1 : a.seq - b.seq));
}
