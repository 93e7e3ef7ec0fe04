// What the shortener nodes send, seen from the manager, and which of the
// learner's functions it shows to be wrong. The manager is connected to every
// node like any other node, so a server registered as 'aggregates' here (the
// spy) receives what each node's recordRedirect casts to the other nodes, and
// what its syncTo sends a node that comes up. The tests judge the counts the
// nodes answer; this evidence only names the function to blame when they are
// wrong, so a solution that sends other messages (deltas, say) is not judged by it.
import { inspect } from 'node:util';
import { GenServer, Node, rpc, type From, type NodeName } from '../../lib/index.ts';
import { AGGREGATES } from '#stage/exercise5-crdt/aggregates.ts';
import { label } from '../support/stage.ts';

const PROBE = new URL('./probe.ts', import.meta.url).href;

type Counter = Record<string, number>;
interface MergeMessage {
  readonly merge: { readonly code: string; readonly counter: Counter };
}

/** One redirect a test made: where, what that node counted just before and right after, and what it sent the other nodes. */
export interface Redirect {
  readonly node: NodeName;
  readonly before: number;
  readonly counted: number;
  readonly sent: readonly unknown[];
}

export const shown = (value: unknown): string => inspect(value, { depth: 4, breakLength: Infinity, compact: true });

const isCounter = (value: unknown): value is Counter =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((n) => typeof n === 'number');

const mergeOf =
  (code: string) =>
  (message: unknown): message is MergeMessage => {
    const merge = (message as { merge?: { code?: unknown; counter?: unknown } } | null)?.merge;
    return merge?.code === code && isCounter(merge.counter);
  };

const valueOf = (counter: Counter): number => Object.values(counter).reduce((sum, n) => sum + n, 0);

/** Of some merges of one code, the one whose counter counts the most. */
const fullest = (merges: readonly MergeMessage[]): MergeMessage['merge'] =>
  merges.map((m) => m.merge).reduce((best, m) => (valueOf(m.counter) > valueOf(best.counter) ? m : best));

/** The manager's stand-in for a node's aggregates server: it keeps every cast it gets, for the test to take. */
const Spy = {
  name: 'the manager\'s aggregates spy',
  init: (): unknown[] => [],
  handleCast(message: unknown, log: unknown[]) {
    log.push(message);
    return { noreply: true as const, state: log };
  },
  handleCall(_request: 'take', _from: From, log: unknown[]) {
    return { reply: log.splice(0), state: log };
  },
};

/** Registers the spy as 'aggregates' on this node (the manager). */
export async function startSpy(): Promise<void> {
  await GenServer.start(Spy, undefined, { name: AGGREGATES });
}

/** Every cast the spy got since the last take. */
export const takeSent = (): Promise<unknown[]> => GenServer.call<unknown[]>(AGGREGATES, 'take');

/**
 * What `node` cast here since the last take, once everything it sent before has
 * arrived: messages from one node arrive in the order sent, so they come before
 * the answer to this rpc.
 */
export async function sentBy(node: NodeName): Promise<unknown[]> {
  await rpc.call(node, PROBE, 'port');
  return takeSent();
}

/**
 * Why the counts did not reach the other nodes, if what recordRedirect sent
 * shows it: a redirect after which its node sent no merge, or sent a counter
 * that lacks the redirect it had just counted. Undefined if every redirect
 * sent a counter as high as its node's count.
 */
export function recordRedirectVerdict(code: string, redirects: readonly Redirect[], labelOf: (node: NodeName) => string = label): string | undefined {
  for (const { node, before, counted, sent } of redirects) {
    const merges = sent.filter(mergeOf(code));
    const where = `recordRedirect on ${labelOf(node)}`;
    if (merges.length === 0) {
      const other = sent[0];
      if (other !== undefined) {
        return (
          `${where} sent ${shown(other).slice(0, 160)} to the other nodes after a redirect of ${code}: the aggregates servers merge only a Merge, ` +
          '{ merge: { code, counter } }, with the code\'s whole counter'
        );
      }
      return (
        `${where} sent nothing to the other nodes after a redirect of ${code} (the manager, connected to it like any node, got no merge from it): ` +
        'after counting, recordRedirect sends the code\'s counter, as a Merge, to the aggregates server of every other connected node'
      );
    }
    // The fullest counter it sent: a window may also hold what its syncTo sent a little earlier.
    const { counter } = fullest(merges);
    const value = valueOf(counter);
    if (value >= counted) continue;
    // The counter as it was before this redirect (a value of 1 could also be a counter of this redirect alone: said below).
    if (value === before && value !== 1) {
      return (
        `${where} sent ${code}'s counter as ${shown(counter)}, whose value is ${value}, right after ${labelOf(node)} counted ${counted}: ` +
        'it sent the counter as it was before this redirect. Count first, then send the new counter'
      );
    }
    return (
      `${where} sent ${code}'s counter as ${shown(counter)}, whose value is ${value}, right after ${labelOf(node)} counted ${counted}: ` +
      'send the whole counter as this node holds it, every slot at its count. A merge keeps the highest of each slot, so a counter that holds only the latest redirect teaches the others nothing new'
    );
  }
  return undefined;
}

/**
 * Whether the nodes counted in a shared slot: the fullest counters they sent,
 * merged slot by slot (the highest of each), count fewer redirects than were made.
 */
export function sharedSlotVerdict(code: string, redirects: readonly Redirect[], made: number, labelOf: (node: NodeName) => string = label): string | undefined {
  const last = new Map<NodeName, Counter>();
  for (const { node, sent } of redirects) {
    const merges = sent.filter(mergeOf(code));
    if (merges.length > 0) last.set(node, fullest(merges).counter);
  }
  if (last.size < 2) return undefined;
  const merged: Counter = {};
  for (const counter of last.values()) for (const [slot, n] of Object.entries(counter)) merged[slot] = Math.max(merged[slot] ?? 0, n);
  if (valueOf(merged) >= made) return undefined;
  const each = [...last].map(([node, counter]) => `${labelOf(node)} sent ${shown(counter)}`).join(', ');
  return (
    `the counters of ${code} that the nodes sent (${each}), merged slot by slot, count ${valueOf(merged)} of the ${made} redirects made: ` +
    'two nodes counted in the same slot, so what one counted hides what the other counted while they could not hear each other. ' +
    'recordRedirect counts in this node\'s own slot, named by its whole node name (Node.self())'
  );
}

/**
 * What syncTo on each of `nodes` sends a node that comes up (the manager, asked
 * through rpc), compared with what that node counts: undefined if each sends
 * `code`'s whole counter.
 */
export async function syncToVerdict(code: string, nodes: readonly NodeName[], countOn: (node: NodeName) => Promise<number>): Promise<string | undefined> {
  for (const node of nodes) {
    const holds = await countOn(node);
    if (holds === 0) continue;
    await sentBy(node);
    await rpc.call(node, PROBE, 'syncToNode', [Node.self()]);
    const sent = await takeSent();
    const where = `syncTo on ${label(node)}`;
    const merges = sent.filter(mergeOf(code));
    if (sent.length === 0) {
      return `${where}, told that a node came up, sent it nothing, though ${label(node)} counts ${holds} redirects of ${code}: send the newcomer every counter of this node's table, each as a Merge`;
    }
    if (merges.length === 0) {
      // Every counter it sent holds one slot, the same one: it sends its own slot only, where it has one.
      const counters = sent.map((m) => (m as Partial<MergeMessage> | null)?.merge?.counter).filter(isCounter);
      const slots = new Set(counters.flatMap((c) => Object.keys(c)));
      const ownOnly = counters.length === sent.length && slots.size === 1 && counters.every((c) => Object.keys(c).length === 1);
      return (
        `${where}, told that a node came up, sent ${sent.length} message${sent.length === 1 ? '' : 's'} but no counter of ${code}, of which ${label(node)} counts ${holds} redirects: ` +
        (ownOnly
          ? `each counter it sent holds one slot only, ${[...slots][0]}, and it sent none where that slot is empty. Send every counter of the table, whole, every node's slot: the slots of nodes that are gone, or cut off, reach the newcomer only this way`
          : 'send every counter of the table, also of the links this node never served itself: the newcomer may have missed what other nodes counted')
      );
    }
    const best = Math.max(...merges.map((m) => valueOf(m.merge.counter)));
    if (best < holds) {
      const counter = (merges[merges.length - 1] as MergeMessage).merge.counter;
      return (
        `${where}, told that a node came up, sent ${code}'s counter as ${shown(counter)}, whose value is ${best}, though ${label(node)} counts ${holds}: ` +
        'send the whole counter, every node\'s slot: the slots of nodes that are gone, or cut off, reach the newcomer only this way'
      );
    }
  }
  return undefined;
}
