// Ping-pong evidence in the learner's words: how a consumer's table (producer
// node -> highest index seen) differs from what the producers have sent.
import { label } from './stage.ts';
import type { NodeName } from '../../lib/index.ts';

export type Counts = Record<NodeName, number>;

const total = (counts: Counts): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** `{manager: 2, ping-pong1: 1}`, with short node labels. */
export function showCounts(counts: unknown): string {
  if (counts instanceof Map) return `a Map {${[...counts].map(([k, v]) => `${label(String(k))} => ${JSON.stringify(v)}`).join(', ')}}`;
  if (Array.isArray(counts)) return `an array ${JSON.stringify(counts.map((e) => (Array.isArray(e) && typeof e[0] === 'string' ? [label(e[0]), ...e.slice(1)] : e)))}`;
  if (typeof counts !== 'object' || counts === null) return JSON.stringify(counts) ?? String(counts);
  return `{${Object.entries(counts).map(([node, n]) => `${label(node)}: ${n instanceof Map ? showCounts(n) : JSON.stringify(n)}`).join(', ')}}`;
}

/**
 * "saw 2 pings, expected 3 (missing: ping-pong1's ping 1)", or, when it counts more
 * than was sent, which producer it over-counts. Entries of 0 are as good as absent.
 */
export function countsGap(actual: Counts | undefined, sent: Counts): string {
  const seen = actual ?? {};
  const short: string[] = [];
  const over: string[] = [];
  for (const node of new Set([...Object.keys(sent), ...Object.keys(seen)])) {
    const want = sent[node] ?? 0;
    const got = seen[node] ?? 0;
    if (got < want) short.push(want - got === 1 && got + 1 === want ? `${label(node)}'s ping ${want}` : `${label(node)}'s pings ${got + 1} to ${want}`);
    if (got > want) over.push(`${label(node)}: ${got} for ${want} sent`);
  }
  const pings = (n: number) => `${n} ping${n === 1 ? '' : 's'}`;
  let text = `saw ${pings(total(seen))}, expected ${total(sent)}`;
  if (short.length) text += ` (missing: ${short.join(', ')})`;
  if (over.length) {
    text += `; it counts more than was sent (${over.join(', ')}): a ping that arrives twice must count once, under the producer that sent it (keep the highest index per producer)`;
  }
  return text;
}

/** Whether a consumer's table holds exactly what was sent (entries of 0 aside). */
export function sameCounts(actual: Counts | undefined, sent: Counts): boolean {
  const strip = (c: Counts) => Object.entries(c).filter(([, n]) => n !== 0).sort(([a], [b]) => a.localeCompare(b));
  return actual !== undefined && typeof actual === 'object' && JSON.stringify(strip(actual)) === JSON.stringify(strip(sent));
}
