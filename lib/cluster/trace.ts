// A node's record of what happened on its links, for reading after a failed
// test: sends, deliveries, dropped/duplicated/delayed messages, nodes coming and
// going, partitions and heals. Every event carries the host's monotonic clock in
// microseconds (all processes of one host read the same one, so the nodes of a
// local cluster agree to the microsecond) and the node's own sequence number;
// a send and its delivery share `link` and `hash`.
import { describe, type Entry } from '../distribution/entries.ts';
import { parseEntryText, wireTrace } from '../distribution/entryCodec.ts';
import { genServerEnvelope } from '../genServer.ts';
import { localNode } from '../localNode.ts';
import type { NodeName } from '../terms.ts';

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
  readonly detail?: unknown;
}

const LIMIT = 200_000;

// Not performance.timeOrigin + performance.now(): each process pins its timeOrigin to the
// wall clock once, at its start, and on a busy machine those pins were measured 34 ms apart
// across 30 processes, enough to draw a delivery before its send. The monotonic clock
// (process.hrtime) is one clock for the whole host.
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

const MSG_CHARS = 160;

/** What a trace records of a message entry, sent or delivered: its hash, its wire text (abbreviated) and a few words. */
export function messageFields(entry: Entry): Pick<TraceEvent, 'hash' | 'msg' | 'what'> {
  const { hash, text } = wireTrace(entry, MSG_CHARS);
  return { hash, msg: text, what: whatOf(entry) };
}

const whatOf = (entry: Entry, maxChars?: number) => describe(entry, { unwrap: genServerEnvelope, ...(maxChars ? { maxChars } : {}) });

/**
 * The words for a message of a trace written before nodes recorded `what`, from the wire
 * text it kept: the same words a node records, or the text itself when it was cut.
 * `maxChars` allows longer words than a trace keeps (the live view's list of messages).
 */
export function describeKeptMessage(msg: string, maxChars = 44): string {
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
