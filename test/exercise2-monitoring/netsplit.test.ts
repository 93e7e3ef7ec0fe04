// Stage 2, problem 4: ping-pong across a netsplit. On nodeup each producer tells
// the newcomer's consumer its current count; a repeated greeting must not count twice.
import { afterEach, beforeEach, describe, it } from 'vitest';
import { GenServer, rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { eventually, label, stageModule, traceFailures } from '../support/stage.ts';
import { countsGap, sameCounts, type Counts } from '../support/counts.ts';
import { inProcess } from '../support/inProcess.ts';
import { PROBES } from './probes.ts';

const APP = stageModule('exercise2-monitoring/pingPong.ts');
let n1: NodeName;
let n2: NodeName;

beforeEach(async () => {
  await LocalCluster.start();
  [n1, n2] = (await LocalCluster.startNodes('ping-pong', 2, { boot: APP })) as [NodeName, NodeName];
});
afterEach(() => LocalCluster.stopNodes());
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

const ping = (node: NodeName) => GenServer.call<number>({ name: 'producer', node }, 'ping');
const counts = (node: NodeName) => GenServer.call<Counts>({ name: 'consumer', node }, 'counts');
const GREETING = "on nodeup each producer must send its current count, as a ping from its own node, to the newcomer's consumer";

/**
 * After a heal: what each consumer holds once the other side's producer has handled
 * its nodeup (read from that side, behind any greeting). A greeting sent a little
 * later than that still counts, within a second; after that the answer is known.
 */
async function expectGreeted(sent: Counts, step: string, why: string): Promise<void> {
  for (const [from, to] of [[n1, n2], [n2, n1]] as const) {
    const seen = await rpc.call<Counts>(from, PROBES, 'countsAfterNodeup', [to]);
    if (sameCounts(seen, sent)) continue;
    await eventually(
      async () => {
        const now = await counts(to);
        return sameCounts(now, sent) ? sent : now;
      },
      sent,
      (now) => `${step} consumer on ${label(to)} ${countsGap(now, sent)}: ${why}`,
      1_000,
    );
  }
}

describe('stage 2: netsplit', () => {
  it('problem 4: after a netsplit heals, producers tell the newcomers their counts (totals 2, 3, then 4), and a repeated greeting counts once', () =>
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
      await expectGreeted(
        again,
        'after the second heal',
        `a greeting may repeat what a consumer has seen, and must change nothing then; one that brings news must be counted (${GREETING})`,
      );
    }));
});
