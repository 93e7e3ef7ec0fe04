// Stage 3, problem 2 (c) and (d): master and workers on three nodes while the
// network fails them. A partition makes the master take a live worker for dead
// and hand its task to another, and the first worker's "done" may still come,
// late; seeded faults deliver messages twice, or late. The output must hold
// every line of the identity job exactly once.
import { afterEach, beforeAll, describe, it } from 'vitest';
import { rpc, type NodeName, type RemoteName } from '../../lib/index.ts';
import { Faults, LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { traceFailures } from '../support/stage.ts';
import { injectFaults } from '../support/faults.ts';
import { inProcess } from '../support/inProcess.ts';
import { CLUSTER, type WorkerPlan } from './cluster.ts';
import { IDENTITY, jobName, numberedLines } from './inputs.ts';
import { watchJob, type Progress } from './watchJob.ts';
import { expectEveryLineOnce, expectFinished } from './verdict.ts';

let nodes: [NodeName, NodeName, NodeName];
let master: RemoteName;
const lines = numberedLines(100_000);
const input = lines.join('\n');

beforeAll(async () => {
  await LocalCluster.start();
  nodes = (await LocalCluster.startNodes('mr', 3, { storage: true })) as [NodeName, NodeName, NodeName];
  master = { name: 'master', node: nodes[0] };
});
afterEach(async () => {
  await Faults.clear();
  await Schism.heal(nodes);
  await Promise.all(nodes.map((node) => rpc.call(node, CLUSTER, 'stopWorkers', [], 2_000).catch(() => undefined)));
  await rpc.call(nodes[0], CLUSTER, 'stopMaster', [], 5_000).catch(() => undefined);
});
traceFailures();

/** The master on the first node, one worker on each of the other two. */
async function startJob(job: string): Promise<void> {
  await rpc.call(nodes[0], CLUSTER, 'startMaster', ['stage', job]);
  for (const node of nodes.slice(1)) await rpc.call(node, CLUSTER, 'startWorkers', [{ master, layout: 'stage', job, app: IDENTITY, workers: 1 } satisfies WorkerPlan]);
}

/** Cuts each side off in turn and heals it at once, each time after the job has written one more output. */
async function splitAndHeal(progress: Progress, sides: NodeName[][]): Promise<void> {
  for (const side of sides) {
    if (progress.over()) return;
    await progress.written(1);
    await Schism.partition(side);
    await Schism.heal(side);
  }
}

describe('stage 3: a network that fails', () => {
  it('problem 2: master and workers on three nodes, the network partitioned and healed six times in quick succession: every line once', () =>
    inProcess(async () => {
      const spec = { name: jobName('netsplit'), app: IDENTITY, mapJobs: 12, reduceJobs: 5 };
      await startJob(spec.name);
      const [m, w1, w2] = nodes;
      const outcome = await watchJob(spec, input, { master, during: (progress) => splitAndHeal(progress, [[w1], [m], [w2], [w1], [m], [w2]]) });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
    }));

  it('problem 2: duplicated and delayed messages between master and workers (seeded faults), and a worker cut off twice: every line once', () =>
    inProcess(async () => {
      const spec = { name: jobName('faults'), app: IDENTITY, mapJobs: 12, reduceJobs: 5 };
      await startJob(spec.name);
      const [, w1] = nodes;
      await injectFaults({ duplicate: 0.3, delay: { rate: 0.3, minMs: 5, maxMs: 80 } });
      const outcome = await watchJob(spec, input, { master, during: (progress) => splitAndHeal(progress, [[w1], [w1]]) });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
    }));
});
