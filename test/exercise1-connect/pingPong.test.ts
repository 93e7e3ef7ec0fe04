// Stage 1, problems 1 and 2: ping-pong across three nodes (the test node and two more).
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { CallError, GenServer, Node, Process, isDown, receive, rpc, sameRef, type NodeName, type Ref } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { start, stop } from '#stage/exercise1-connect/pingPong.ts';
import { Verdict, eventually, label, stageModule, traceFailures } from '../support/stage.ts';
import { countsGap, sameCounts, showCounts, type Counts } from '../support/counts.ts';
import { answer, gatherCalls, relayCalls } from '../support/relay.ts';
import { PROBE, killRegistered } from '../support/probe.ts';
import { inProcess } from '../support/inProcess.ts';

const APP = stageModule('exercise1-connect/pingPong.ts');
let nodes: NodeName[] = [];

// One cluster for the file; each test starts with a fresh application on every node
// (no count, no relay left by the test before), which costs far less than new nodes.
beforeAll(async () => {
  await LocalCluster.start();
  nodes = [Node.self(), ...(await LocalCluster.startNodes('ping-pong', 2, { boot: APP }))];
});
beforeEach(async () => {
  killRegistered(['producer', 'consumer']);
  await Promise.all(nodes.slice(1).map((node) => rpc.call(node, PROBE, 'killRegistered', [['producer', 'consumer']])));
  await start();
  await Promise.all(nodes.slice(1).map((node) => rpc.call(node, APP, 'start')));
});
afterAll(async () => {
  await LocalCluster.stopNodes();
  await stop();
});
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

const ping = (node: NodeName) => GenServer.call<number>({ name: 'producer', node }, 'ping');
const labels = (list: NodeName[]) => list.map(label).join(', ');

/**
 * Reads consumers through monitors, so that a consumer that crashed (stage 1 does not
 * restart it) fails the test at once, with its crash, instead of timing out.
 */
function consumers(of: NodeName[]) {
  const refs = new Map<NodeName, Ref>(of.map((node) => [node, Process.monitor({ name: 'consumer', node })]));
  const read = async <T>(node: NodeName, request: 'count' | 'counts'): Promise<T> => {
    try {
      return await GenServer.call<T>({ name: 'consumer', node }, request);
    } catch (err) {
      const ref = refs.get(node) as Ref;
      const down = await receive((m) => isDown(m) && sameRef(m.ref, ref), 1_000).catch(() => undefined);
      if (down) {
        throw new Verdict(
          `the consumer on ${label(node)} crashed (${String((down as { reason: unknown }).reason).replace(/\.+$/, '')}). ` +
            'It takes casts of the form { ping: { index, node } }: is that what broadcast casts?',
        );
      }
      throw err;
    }
  };
  return { counts: (node: NodeName) => read<Counts>(node, 'counts'), count: (node: NodeName) => read<number>(node, 'count') };
}

describe('stage 1: ping-pong', () => {
  it('problem 1: a ping from each of three producers reaches every consumer, once (each counts 3, also when a ping arrives twice)', () =>
    inProcess(async () => {
      const consumer = consumers(nodes);
      for (const node of nodes) {
        await ping(node);
        // The producer casts to its own node's consumer before it replies, so that
        // one has the ping already (a little slack for a broadcast that casts later).
        await eventually(
          async () => (await consumer.counts(node))[node] ?? 0,
          1,
          (n) =>
            `the producer on ${label(node)} sent its first ping, and the consumer on ${label(node)} itself ${n ? `counts ${n} from it` : 'did not get it'}: ` +
            'broadcast must cast to the consumer on every connected node, this node included',
          1_000,
        );
      }
      const sent: Counts = Object.fromEntries(nodes.map((n) => [n, 1]));
      for (const node of nodes) {
        await eventually(
          () => consumer.counts(node),
          sent,
          (seen) => `consumer on ${label(node)} ${countsGap(seen, sent)}: every ping must reach the consumers on ${labels(nodes)}`,
        );
      }
      // A network may deliver a message twice: deliver every ping again, straight to every consumer.
      for (const node of nodes) for (const p of nodes) GenServer.cast({ name: 'consumer', node }, { ping: { index: 1, node: p } });
      for (const node of nodes) {
        // These casts travel ahead of this call on the same connection: the answer includes them.
        const seen = await consumer.counts(node);
        if (!sameCounts(seen, sent)) throw new Error(`after every ping was delivered a second time, consumer on ${label(node)} ${countsGap(seen, sent)}`);
      }
    }));

  it('problem 1: a node that connects after the first pings gets every ping sent after it joined', () =>
    inProcess(async () => {
      for (const node of nodes) await ping(node);
      const [late] = (await LocalCluster.startNodes('latecomer', 1, { boot: APP })) as [NodeName];
      try {
        for (const node of nodes) await ping(node);
        const sent: Counts = Object.fromEntries(nodes.map((n) => [n, 2]));
        await eventually(
          () => GenServer.call<Counts>({ name: 'consumer', node: late }, 'counts'),
          sent,
          (seen) =>
            `consumer on ${label(late)}, a node that connected after every producer had pinged once, ${countsGap(seen, sent)}: ` +
            'broadcast casts to the consumers of the nodes connected when it casts, this one included: a node that joins later, or comes back, must get the next pings',
        );
      } finally {
        await LocalCluster.stopNodes([late]);
      }
    }));

  it('problem 2: a producer asked to collect returns node -> count for all three consumers', () =>
    inProcess(async () => {
      // Three pings from the manager, cast straight to each consumer (so this problem does not depend on problem 1).
      for (const node of nodes) GenServer.cast({ name: 'consumer', node }, { ping: { index: 3, node: Node.self() } });
      const consumer = consumers(nodes);
      for (const node of nodes) {
        const n = await consumer.count(node); // behind the cast on the same connection
        if (n !== 3) throw new Error(`consumer on ${label(node)} counts ${n} after a ping of index 3 was cast to it, expected 3`);
      }
      const [, n1] = nodes as [NodeName, NodeName, NodeName];
      const expected: Counts = Object.fromEntries(nodes.map((node) => [node, 3]));
      const got = await collect(n1);
      if (!isDeepStrictEqual(got, expected)) throw new Error(wrongCollection(got, expected, n1));
    }));

  it('problem 2: collect asks every consumer at once, and one that never answers does not hold it up', () =>
    inProcess(async () => {
      const [manager, n1, n2] = nodes as [NodeName, NodeName, NodeName];
      await relayCalls('consumer', nodes);
      const calls = await gatherCalls('consumer', nodes, () => collect(n1));
      const asked = nodes.filter((n) => calls.asked.has(n));
      const notAsked = nodes.filter((n) => !calls.asked.has(n));
      if (calls.finished) {
        throw new Error(
          `collect on ${label(n1)} returned ${describeOutcome(calls.finished)} after asking ${asked.length ? `only the consumer on ${labels(asked)}` : 'no consumer'}: ` +
            'it must ask the consumer on every connected node, this one included, and wait for their answers',
        );
      }
      if (notAsked.length) {
        throw new Error(
          asked.length
            ? `collect on ${label(n1)} asked the consumer on ${labels(asked)} and waited for an answer before asking ${labels(notAsked)}: ` +
                'ask every consumer at once, so that the answers come back together, not one after another'
            : `collect on ${label(n1)} asked no consumer within 3 s`,
        );
      }
      // Every consumer has been asked: two answer now, the one on ping-pong2 never does.
      answer(calls.asked.get(manager), 3);
      answer(calls.asked.get(n1), 4);
      const outcome = await calls.outcome(8_000);
      if (!outcome) {
        throw new Error(
          `collect on ${label(n1)} is still waiting for the consumer on ${label(n2)}, which never answers: ` +
            'give the calls a timeout (2 s is plenty) and return the answers that came',
        );
      }
      const expected: Counts = { [manager]: 3, [n1]: 4 };
      if ('error' in outcome) {
        const silent = outcome.error.includes(`{consumer, ${n2}}`); // the call to the silent consumer is what failed
        throw new Error(
          silent
            ? `collect on ${label(n1)} failed as a whole because the consumer on ${label(n2)} never answered (${outcome.error.replace(/^.*failed: /, '')}): ` +
                'one silent node must not sink the answers of the others (nor crash the producer that collects): leave out the nodes that did not answer and return the rest'
            : `asking the producer on ${label(n1)} to collect failed: ${outcome.error}`,
        );
      }
      const got = outcome.value;
      if (isDeepStrictEqual(got, expected)) return;
      if (wrongShape(got, expected) === undefined && got && typeof got === 'object') {
        const left = [manager, n1].filter((n) => !(n in got));
        if (left.length) {
          throw new Error(
            `collect on ${label(n1)} returned ${showCounts(got)}: it left out ${labels(left)}, whose consumers answered as soon as every consumer had been asked. ` +
              'It had stopped waiting for them: ask every consumer at once and wait for the answers together',
          );
        }
        if (n2 in got) {
          throw new Error(`collect on ${label(n1)} returned ${showCounts(got)}, but the consumer on ${label(n2)} never answered: leave out the nodes that did not answer`);
        }
      }
      throw new Error(wrongCollection(got, expected, n1));
    }));
});

/** Asks the producer on `node` to collect; the bound is long, so that collect's own timeout shows first. */
async function collect(node: NodeName): Promise<unknown> {
  try {
    return await GenServer.call({ name: 'producer', node }, 'collect', 15_000);
  } catch (err) {
    if (err instanceof CallError) throw new Error(`asking the producer on ${label(node)} to collect failed: ${err.message}`);
    throw err;
  }
}

function describeOutcome(finished: { value: unknown } | { error: string }): string {
  return 'error' in finished ? `an error (${finished.error})` : showCounts(finished.value);
}

/**
 * What is wrong with the shape of a collection, if that is what is wrong: the right
 * answers in another container, or keyed or valued otherwise than node -> count.
 */
function wrongShape(got: unknown, expected: Counts): string | undefined {
  const names = Object.keys(expected);
  if (got instanceof Map) return 'return a plain object, node -> count, not a Map (Object.fromEntries makes one)';
  if (Array.isArray(got)) {
    const pairs = got.every((e) => Array.isArray(e) && e.length === 2);
    return pairs
      ? 'that is an array of [node, count] pairs: return them as a plain object, node -> count (Object.fromEntries makes one)'
      : 'collect returns a plain object, node -> count, not an array';
  }
  if (typeof got !== 'object' || got === null) return 'collect returns a plain object, node -> count';
  if ('replies' in got && 'badNodes' in got) {
    return "that is multiCall's whole answer, { replies, badNodes }: return its replies, as a plain object, node -> count";
  }
  const entries = Object.entries(got);
  const shortNames = names.map(label);
  if (entries.length > 0 && entries.every(([key]) => !names.includes(key) && shortNames.includes(key))) {
    return `its keys are short names (${entries.map(([key]) => key).join(', ')}): key each count by the whole node name, as multiCall gives it. Two nodes may have the same short name on two hosts`;
  }
  const notANumber = entries.find(([, value]) => typeof value !== 'number');
  if (notANumber) {
    const [node, value] = notANumber;
    return typeof value === 'object' && value !== null
      ? `the count of ${label(node)} is ${showCounts(value)}, not a number: ask each consumer for its 'count' (one number), not its 'counts' (its table)`
      : `the count of ${label(node)} is ${JSON.stringify(value)}, not a number: return each consumer's answer as it is`;
  }
  return undefined;
}

/** What is wrong with a collection, in the stage's words. */
function wrongCollection(got: unknown, expected: Counts, collector: NodeName): string {
  const said = `the producer on ${label(collector)} collected ${showCounts(got)}, expected ${showCounts(expected)}`;
  const shape = wrongShape(got, expected);
  if (shape !== undefined || typeof got !== 'object' || got === null) return `${said}: ${shape ?? 'collect returns a plain object, node -> count'}`;
  const missing = Object.keys(expected).filter((n) => !(n in got));
  if (missing.length === Object.keys(expected).length) return `${said}: ask the consumer on every connected node, this one included, and return their answers`;
  if (missing.includes(collector)) return `${said}: it left out its own node; ask this node's consumer too`;
  if (missing.length) return `${said}: it left out ${missing.map(label).join(', ')}; ask the consumer on every connected node`;
  return said;
}
