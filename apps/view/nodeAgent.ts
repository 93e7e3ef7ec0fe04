// What the live view asks each node a few times a second (through rpc, or over
// a demo node's IPC channel): whom it is connected to, whom it is cut off from,
// and the messages it sent since the last look, sampled when there are many.
// Looking starts the node's trace; if nobody looks for a while (the view was
// closed or killed), the trace the view started is stopped again, so a node
// never keeps recording for nobody.
import { Node, type NodeName } from '../../lib/index.ts';
import type { TraceEvent } from '../../lib/cluster/index.ts';
import { describeKeptMessage, linkPolicy } from '../../lib/internal.ts';

export const VIEW_AGENT = import.meta.url;

export type SentKind = 'send' | 'drop' | 'duplicate' | 'delay';

export interface SentMessage {
  readonly to: NodeName;
  readonly kind: SentKind;
  /** The message in words, whole when it is short enough for the list: "consumer: cast {ping: {index: 3, node: 'a@h'}}". */
  readonly what: string;
  /** How long a delayed message is held back. */
  readonly ms?: number;
  /** A dropped message's cause: the partition (the sender is cut off from `to`), or a fault the harness injected. */
  readonly why?: 'partition' | 'fault';
}

/** How many characters of a message the list on the page shows (about three lines of its column). */
const WHAT_CHARS = 100;

export interface Look {
  readonly node: NodeName;
  readonly connected: NodeName[];
  readonly blocked: NodeName[];
  readonly sent: SentMessage[];
  /** Messages sent since the last look but left out of `sent` (sampling). */
  readonly unsampled: number;
}

const SENT_KINDS = new Set<string>(['send', 'drop', 'duplicate', 'delay']);
const ABANDONED_MS = 10_000;
let startedByView = false;
let abandon: NodeJS.Timeout | undefined;

/** Where the observer (the view's own node) is left out: its calls to the nodes are not the cluster's traffic. */
export function look(observer: NodeName, max = 24): Look {
  if (!linkPolicy.tracing()) {
    linkPolicy.startTrace();
    startedByView = true;
  }
  if (startedByView) {
    clearTimeout(abandon);
    abandon = setTimeout(release, ABANDONED_MS);
    abandon.unref();
  }
  const sent = linkPolicy.takeTrace().filter((e) => SENT_KINDS.has(e.kind) && e.peer !== undefined && e.peer !== observer);
  const sample = evenly(sent, max);
  return {
    node: Node.self(),
    connected: Node.list().filter((n) => n !== observer),
    blocked: linkPolicy.blockedNodes(),
    sent: sample.map(sentMessage),
    unsampled: sent.length - sample.length,
  };
}

/** Stops the trace the view started (the view calls it when it lets go). */
export function release(): true {
  clearTimeout(abandon);
  if (startedByView) linkPolicy.stopTrace();
  startedByView = false;
  return true;
}

/** At most `max` items, spread evenly over the list. */
function evenly<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)] as T);
}

function sentMessage(e: TraceEvent): SentMessage {
  const detail = e.detail as { ms?: number; reason?: string } | undefined;
  // The trace keeps a few words (`what`); its wire text, when not cut, gives the whole message.
  const whole = e.msg !== undefined && !e.msg.endsWith('…') ? describeKeptMessage(e.msg, WHAT_CHARS) : undefined;
  return {
    to: e.peer as NodeName,
    kind: e.kind as SentKind,
    what: whole ?? e.what ?? '…',
    ...(typeof detail?.ms === 'number' ? { ms: detail.ms } : {}),
    ...(e.kind === 'drop' ? { why: detail?.reason === 'partitioned' ? 'partition' : 'fault' } : {}),
  };
}
