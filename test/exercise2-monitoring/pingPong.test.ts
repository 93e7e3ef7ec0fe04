// Stage 2, problems 1 and 2: ping-pong that survives a consumer crash (its supervisor
// restarts it, and it catches up by asking every producer for its count) and a
// netsplit (on nodeup each producer tells the newcomer's consumer its count; a
// repeated greeting must not count twice).
import { afterAll, beforeAll, beforeEach, describe, it, vi } from 'vitest';
import { GenServer, Node, Process, rpc, samePid, type NodeName, type Pid } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { start } from '#stage/exercise2-monitoring/pingPong.ts';
import { eventually, label, stageModule, traceFailures } from '../support/stage.ts';
import { countsGap, sameCounts, showCounts, type Counts } from '../support/counts.ts';
import { answer, gatherCalls, relayCalls } from '../support/relay.ts';
import { PROBE, killRegistered } from '../support/probe.ts';
import { inProcess } from '../support/inProcess.ts';
import { PROBES } from './probes.ts';

const APP = stageModule('exercise2-monitoring/pingPong.ts');
const APPLICATION = ['consumer_sup', 'consumer', 'producer'];
let n1: NodeName;
let n2: NodeName;

// One cluster for the file; each test starts with the network whole and a fresh
// application on the two nodes (every count 0, no relay left), none on the test node.
beforeAll(async () => {
  await LocalCluster.start();
  [n1, n2] = (await LocalCluster.startNodes('ping-pong', 2, { boot: APP })) as [NodeName, NodeName];
});
beforeEach(async () => {
  await Schism.heal([n1, n2]);
  killRegistered(APPLICATION);
  await Promise.all([n1, n2].map((node) => rpc.call(node, PROBE, 'killRegistered', [APPLICATION])));
  await Promise.all([n1, n2].map((node) => rpc.call(node, APP, 'start')));
});
afterAll(async () => {
  await LocalCluster.stopNodes();
  killRegistered(APPLICATION);
});
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

const ping = (node: NodeName) => GenServer.call<number>({ name: 'producer', node }, 'ping');
const counts = (node: NodeName) => GenServer.call<Counts>({ name: 'consumer', node }, 'counts');
const consumerPid = (node: NodeName) => rpc.call<Pid | undefined>(node, PROBE, 'whereis', ['consumer']);
const labels = (list: NodeName[]) => list.map(label).join(', ');

/**
 * Kills the consumer on `node`, then reads the table of the one its supervisor
 * starts instead. The read waits for the new consumer's init, so the table it
 * returns is the one the consumer starts from: no ping is sent meanwhile.
 */
async function killAndReadRestarted(node: NodeName): Promise<Counts> {
  const before = await consumerPid(node);
  if (!before) throw new Error(`no consumer is registered on ${label(node)}`);
  Process.exit(before, 'kill');
  let table: Counts | undefined;
  await vi.waitFor(
    async () => {
      const now = await consumerPid(node);
      if (!now || samePid(now, before)) throw new Error('not restarted yet');
      table = await counts(node);
    },
    { timeout: 15_000, interval: 50 },
  ).catch(() => undefined);
  if (!table) throw new Error(`the consumer on ${label(node)} was killed, and no new one answered within 15 s: is it started under the supervisor, and does its init finish?`);
  return table;
}

const GREETING = "on nodeup each producer must send its current count, as a ping from its own node, to the newcomer's consumer";

/**
 * After a heal: what each consumer holds once the other side's producer has handled
 * its nodeup (read from that side, behind any greeting). A greeting sent a little
 * later than that still counts, within a second; after that the answer is known.
 */
async function expectGreeted(sent: Counts, step: string, why: string | ((seen: Counts | undefined) => string)): Promise<void> {
  const say = typeof why === 'string' ? () => why : why;
  for (const [from, to] of [[n1, n2], [n2, n1]] as const) {
    const seen = await rpc.call<Counts>(from, PROBES, 'countsAfterNodeup', [to]);
    if (sameCounts(seen, sent)) continue;
    await eventually(
      async () => {
        const now = await counts(to);
        return sameCounts(now, sent) ? sent : now;
      },
      sent,
      (now) => `${step} consumer on ${label(to)} ${countsGap(now, sent)}: ${say(now)}`,
      1_000,
    );
  }
}

describe('stage 2: crash recovery', () => {
  it("problem 1: a consumer that crashes is restarted and catches up with every producer, its own node's included", () =>
    inProcess(async () => {
      await start(); // the test node runs the application too, as in the original
      const manager = Node.self();
      const sent: Counts = { [manager]: 2, [n1]: 1, [n2]: 3 };
      for (const [node, times] of Object.entries(sent)) for (let i = 0; i < times; i++) await ping(node);
      await eventually(() => counts(n1), sent, (seen) => `before the crash, consumer on ${label(n1)} ${countsGap(seen, sent)}`);
      const seen = await killAndReadRestarted(n1);
      if (sameCounts(seen, sent)) return;
      const own = (seen[n1] ?? 0) < (sent[n1] ?? 0) && Object.keys(sent).some((n) => n !== n1 && (seen[n] ?? 0) > 0);
      throw new Error(
        `after its restart, consumer on ${label(n1)} ${countsGap(seen, sent)}: ` +
          (own ? "a starting consumer must ask every producer for its count, its own node's included" : 'a starting consumer must ask every producer for its count'),
      );
    }));

  it('problem 1: the restarted consumer asks the producers at once, and one that never answers does not hold up its start', () =>
    inProcess(async () => {
      const manager = Node.self();
      // The producers on the manager and on ping-pong2 become relays: the test sees their calls and answers them itself.
      await relayCalls('producer', [manager, n2]);
      const calls = await gatherCalls('producer', [manager, n2], () => killAndReadRestarted(n1));
      const asked = [manager, n2].filter((n) => calls.asked.has(n));
      const notAsked = [manager, n2].filter((n) => !calls.asked.has(n));
      if (calls.finished) {
        const what = 'value' in calls.finished ? `started from ${showCounts(calls.finished.value)}` : `did not come back (${calls.finished.error})`;
        throw new Error(
          `the restarted consumer on ${label(n1)} ${what} after asking ${asked.length ? `only the producer on ${labels(asked)}` : 'no other producer'}: ` +
            'a starting consumer must ask the producer on every connected node for its count',
        );
      }
      if (notAsked.length) {
        throw new Error(
          asked.length
            ? `the restarted consumer on ${label(n1)} asked the producer on ${labels(asked)} and waited for its answer before asking ${labels(notAsked)}: ` +
                'ask every producer at once, so that the answers come back together, not one after another'
            : `the restarted consumer on ${label(n1)} asked no producer within 3 s`,
        );
      }
      // Every producer has been asked: the manager's answers 2, ping-pong2's never does.
      answer(calls.asked.get(manager), 2);
      const outcome = await calls.outcome(8_000);
      if (!outcome) {
        throw new Error(
          `the restarted consumer on ${label(n1)} is still starting: its catch-up waits for the producer on ${label(n2)}, which never answers. ` +
            'Give the calls a timeout, well under the 5 s that init may take',
        );
      }
      if ('error' in outcome) throw new Error(`the restarted consumer on ${label(n1)} did not come back: ${outcome.error}`);
      const expected: Counts = { [manager]: 2 };
      if (sameCounts(outcome.value, expected)) return;
      if (!((outcome.value[manager] ?? 0) > 0)) {
        throw new Error(
          `the restarted consumer on ${label(n1)} started from ${showCounts(outcome.value)}: it left out the manager, whose producer answered 2 as soon as every producer had been asked. ` +
            'It had stopped waiting for it: ask every producer at once and wait for the answers together',
        );
      }
      throw new Error(`the restarted consumer on ${label(n1)} started from ${showCounts(outcome.value)}, expected ${showCounts(expected)} (the producer on ${label(n2)} never answered)`);
    }));
});


describe('stage 2: netsplit', () => {
  it('problem 2: after a netsplit heals, producers tell the newcomers their counts (totals 2, 3, then 4), and a repeated greeting counts once', () =>
    inProcess(async () => {
      await ping(n1);
      await ping(n2);
      const both: Counts = { [n1]: 1, [n2]: 1 };
      for (const node of [n1, n2]) {
        await eventually(() => counts(node), both, (seen) => `consumer on ${label(node)} ${countsGap(seen, both)} (one from each of ${label(n1)} and ${label(n2)})`);
      }

      await Schism.partition([n1]);
      await ping(n1);
      await ping(n2);
      for (const node of [n1, n2]) {
        const split: Counts = { ...both, [node]: 2 };
        await eventually(
          () => counts(node),
          split,
          (seen) => `during the partition consumer on ${label(node)} ${countsGap(seen, split)} (its own producer's 2, the other side's 1)`,
        );
      }

      await Schism.heal([n1]);
      await expectGreeted({ [n1]: 2, [n2]: 2 }, 'after the heal', GREETING);

      // Again, with one ping missed on one side only: n2's greeting to n1 now repeats what n1's consumer has seen.
      await Schism.partition([n1]);
      await ping(n1);
      const again: Counts = { [n1]: 3, [n2]: 2 };
      await eventually(() => counts(n1), again, (seen) => `during the second partition consumer on ${label(n1)} ${countsGap(seen, again)}`);
      await Schism.heal([n1]);
      await expectGreeted(again, 'after the second heal', (seen) =>
        Object.entries(again).some(([node, n]) => (seen?.[node] ?? 0) < n)
          ? `${GREETING}, on every nodeup, the second too: a node back from another partition has missed pings again, and a producer that greets each node once leaves it short for good`
          : `a greeting may repeat what a consumer has seen, and must change nothing then; one that brings news must be counted (${GREETING})`,
      );
    }));
});
