// What the live view asks each node a few times a second (through rpc, or over
// a demo node's IPC channel): whom it is connected to, whom it is cut off from,
// and the messages it sent since the last look, sampled when there are many.
// Looking starts the node's trace; if nobody looks for a while (the view was
// closed or killed), the trace the view started is stopped again, so a node
// never keeps recording for nobody.
import { linkPolicy } from '../cluster/linkPolicy.ts';
import type { TraceEvent } from '../cluster/trace.ts';
import { Node } from '../node.ts';
import type { NodeName } from '../terms.ts';

export const VIEW_AGENT = import.meta.url;

export type SentKind = 'send' | 'drop' | 'duplicate' | 'delay';

export interface SentMessage {
  readonly to: NodeName;
  readonly kind: SentKind;
  /** A short text for the picture: "consumer: cast {ping: …}". */
  readonly what: string;
  /** How long a delayed message is held back. */
  readonly ms?: number;
}

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
    sent: sample.map(describe),
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

function describe(e: TraceEvent): SentMessage {
  const detail = e.detail as { ms?: number } | undefined;
  return {
    to: e.peer as NodeName,
    kind: e.kind as SentKind,
    what: summarize(e.msg ?? ''),
    ...(typeof detail?.ms === 'number' ? { ms: detail.ms } : {}),
  };
}

/** The wire entry of a message (`["n", name, msg]` or `["s", id, creation, msg]`), in a few words. */
export function summarize(entryJson: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(entryJson);
  } catch {
    // Abbreviated (long messages are cut in traces): read what the cut kept.
    const to = /^\["n","([^"]{1,40})"/.exec(entryJson)?.[1] ?? (entryJson.startsWith('["s"') ? 'pid' : '?');
    const part = /"\$gen":"(call|cast)"/.exec(entryJson)?.[1] ?? (entryJson.includes('"$genReply"') ? 'reply' : '');
    const body = /"(?:request|msg|value)":(.{1,30})/.exec(entryJson)?.[1];
    const kept = body?.replace(/"([A-Za-z_$][\w$]*)":/g, '$1: ').replace(/…$/, '');
    return clip(`${to}: ${part}${part && kept ? ' ' : ''}${kept ? `${kept}…` : part ? '' : '…'}`, 44);
  }
  if (!Array.isArray(entry)) return '…';
  const [tag] = entry;
  const to = tag === 'n' ? String(entry[1]) : 'pid';
  const msg = tag === 'n' ? entry[2] : entry[3];
  return clip(`${to}: ${content(msg)}`, 44);
}

function content(msg: unknown): string {
  if (typeof msg === 'object' && msg !== null) {
    const m = msg as Record<string, unknown>;
    if (m.$gen === 'cast') return `cast ${compact(m.msg)}`;
    if (m.$gen === 'call') return `call ${compact(m.request)}`;
    if ('$genReply' in m) return `reply ${compact(m.value)}`;
  }
  return compact(msg);
}

function compact(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  const json = JSON.stringify(value) ?? String(value);
  return json.replace(/"([A-Za-z_$][\w$]*)":/g, '$1: ').replace(/,"/g, ', "').replace(/,(?=[A-Za-z_$])/g, ', ');
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
