// Stage 3, problem 2, a network that fails: master and workers on three nodes.
// A partition makes the master take a live worker for dead and hand its task
// to another, and the first worker's "done" may still come, late; seeded faults
// deliver messages twice, or late. The output of the identity job over 100,000
// numbered lines must hold every line exactly once.
import { afterEach, beforeAll, describe, it } from 'vitest';
import { Storage, rpc, type NodeName, type RemoteName } from '../../lib/index.ts';
import { Faults, LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { traceFailures } from '../support/stage.ts';
import { injectFaults } from '../support/faults.ts';
import { inProcess } from '../support/inProcess.ts';
import { CLUSTER, type WorkerPlan } from './cluster.ts';
import { IDENTITY, jobName, numberedLines } from './inputs.ts';
import { watchJob, type Progress } from './watchJob.ts';
import { record, type Evidence } from './evidence.ts';
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

/** Cuts `side` off the rest of the cluster, noting it in the job's evidence first. */
async function cut(job: string, side: NodeName[]): Promise<void> {
  for (const node of side) await record(Storage.connect(), job, { worker: 'manager', event: 'cut', node: node.split('@')[0] as string });
  await Schism.partition(side);
}

/** The master on the first node, one worker on each of the other two. */
async function startJob(job: string, hold?: WorkerPlan['hold']): Promise<void> {
  await rpc.call(nodes[0], CLUSTER, 'startMaster', ['stage', job]);
  for (const node of nodes.slice(1)) {
    await rpc.call(node, CLUSTER, 'startWorkers', [{ master, layout: 'stage', job, app: IDENTITY, workers: 1, ...(hold ? { hold } : {}) } satisfies WorkerPlan]);
  }
}

/** The node a worker of the evidence runs on. */
const nodeOf = (e: Evidence): NodeName => nodes.find((n) => e.worker.startsWith(`${n.split('@')[0]}.`)) ?? e.worker;

/** Cuts each side off in turn and heals it at once, each time after the job has written one more output. */
async function splitAndHeal(job: string, progress: Progress, sides: NodeName[][]): Promise<void> {
  for (const side of sides) {
    if (progress.over()) return;
    await progress.written(1);
    await cut(job, side);
    await Schism.heal(side);
  }
}

describe('stage 3: a network that fails', () => {
  it('problem 2: master and workers on three nodes, the network partitioned and healed six times in quick succession: every line once', () =>
    inProcess(async () => {
      const spec = { name: jobName('netsplit'), app: IDENTITY, mapJobs: 12, reduceJobs: 5 };
      await startJob(spec.name);
      const [m, w1, w2] = nodes;
      const outcome = await watchJob(spec, input, { master, during: (progress) => splitAndHeal(spec.name, progress, [[w1], [m], [w2], [w1], [m], [w2]]) });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
    }));

  it("problem 2: duplicated and delayed messages between master and workers (seeded faults), and a map job's report that comes after the reduce jobs began: every line once", () =>
    inProcess(async () => {
      const spec = { name: jobName('faults'), app: IDENTITY, mapJobs: 12, reduceJobs: 5 };
      // One worker will stop holding a map job whose id is no reduce job's id; the other, its first reduce job.
      await startJob(spec.name, { mapFrom: spec.reduceJobs });
      await injectFaults({ duplicate: 0.3, delay: { rate: 0.3, minMs: 5, maxMs: 80 } });
      const holding = (kind: 'map' | 'reduce') => (events: Evidence[]) => events.find((e) => e.event === 'holding' && e.kind === kind);
      const outcome = await watchJob(spec, input, {
        master,
        during: async (progress) => {
          // The master takes x for dead and hands its map job to y, which does every map job, then holds a reduce job.
          let events: Evidence[] = [];
          const until = async (check: (events: Evidence[]) => unknown) => progress.until((now) => Boolean(check((events = now))));
          if (!(await until(holding('map')))) return;
          const x = nodeOf(holding('map')(events) as Evidence);
          await cut(spec.name, [x]);
          if (!(await until(holding('reduce')))) return;
          const held = holding('reduce')(events) as Evidence;
          await Schism.heal([x]);
          // x finishes its map job and reports it: late, for a task y did, during the reduce jobs. Then it announces
          // itself again (behind the report, on the same link) and does the other reduce jobs.
          await rpc.call(x, CLUSTER, 'release', [spec.name]);
          const written = (now: Evidence[]) => new Set(now.filter((e) => e.event === 'written' && e.kind === 'reduce').map((e) => e.id));
          if (!(await until((now) => Array.from({ length: spec.reduceJobs }, (_, r) => r).every((r) => r === held.id || written(now).has(r))))) return;
          // The master must still wait for y's reduce job, however the late report was counted.
          await rpc.call(nodeOf(held), CLUSTER, 'release', [spec.name]);
        },
      });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
    }));
});
