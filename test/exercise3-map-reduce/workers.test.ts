// Stage 3, problems 1 and 2 with workers that die. The master and a healthy
// worker run on the test's node; the other workers on two nodes of their own,
// each of which is killed (kill -9) by the last test that uses it.
//
// Problem 1 grades the master alone: the workers and the storage layout are the
// kit's, so it does not wait on problem 2. Problem 2 runs the learner's layout
// too, on an identity job over 100,000 numbered lines: the master hands each
// task out at least once, so a task can run twice (a worker may write its output
// and die before it reports the task done), and the output must still hold
// every line exactly once.
import { afterEach, beforeAll, describe, it } from 'vitest';
import { Node, rpc, type NodeName, type RemoteName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { traceFailures } from '../support/stage.ts';
import { inProcess } from '../support/inProcess.ts';
import { CLUSTER, startMaster, startWorkers, stopMaster, stopWorkers, type LayoutChoice, type WorkerPlan } from './cluster.ts';
import { IDENTITY, jobName, numberedLines } from './inputs.ts';
import { watchJob } from './watchJob.ts';
import { requireCluster, startCluster, type TestCluster } from './startCluster.ts';
import { expectDeaths, expectEveryLineOnce, expectEveryWorkerWorked, expectFinished } from './verdict.ts';

let mr1: NodeName;
let mr2: NodeName;
let master: RemoteName;
let cluster: TestCluster;
const small = numberedLines(10_000);
const large = numberedLines(100_000);

beforeAll(async () => {
  cluster = await startCluster('mr', 2);
  [mr1, mr2] = cluster.nodes as [NodeName, NodeName];
  master = { name: 'master', node: Node.self() };
});
afterEach(async () => {
  if (cluster.unusable) return;
  stopWorkers();
  for (const node of LocalCluster.nodes()) {
    // A node killed by a test leaves the cluster, so that the harness stops trying to reach it.
    if ((await Node.ping(node)) === 'pang') await LocalCluster.stopNodes([node]);
    else await rpc.call(node, CLUSTER, 'stopWorkers', [], 2_000).catch(() => undefined);
  }
  await stopMaster();
});
traceFailures();

const plan = (layout: LayoutChoice, job: string, more: Partial<WorkerPlan> = {}): WorkerPlan => ({ master, layout, job, app: IDENTITY, workers: 1, ...more });
const label = (node: NodeName) => node.split('@')[0] as string;

describe('stage 3: the master and its workers', () => {
  it('problem 1: the master hands the map jobs, then the reduce jobs, to two workers and answers with every line once', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('master'), app: IDENTITY, mapJobs: 6, reduceJobs: 3 };
      await startMaster('kit', spec.name);
      await rpc.call(mr1, CLUSTER, 'startWorkers', [plan('kit', spec.name)]);
      await startWorkers(plan('kit', spec.name));
      const outcome = await watchJob(spec, small.join('\n'), { master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, small);
      expectEveryWorkerWorked(outcome);
    }));

  it('problem 1: a worker whose node is killed (kill -9) while it holds a map job: the master hands that job to another worker', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('master-kill'), app: IDENTITY, mapJobs: 6, reduceJobs: 3 };
      await startMaster('kit', spec.name);
      await rpc.call(mr1, CLUSTER, 'startWorkers', [plan('kit', spec.name, { death: { onTake: 2, how: 'node' } })]);
      await startWorkers(plan('kit', spec.name));
      const outcome = await watchJob(spec, small.join('\n'), { master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, small);
      expectDeaths(outcome, 1, `the worker on ${label(mr1)} dies on taking its 2nd task`);
    }));

  it('problem 2: a stream of new workers that each die after their 3rd task: every line once', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('stream'), app: IDENTITY, mapJobs: 10, reduceJobs: 5 };
      await startMaster('stage', spec.name);
      // Two at a time; each dies right after writing its 3rd output (before reporting it), and a new one takes its place.
      await rpc.call(mr2, CLUSTER, 'startWorkers', [plan('stage', spec.name, { workers: 2, stream: true, death: { afterWrites: 3, how: 'process' } })]);
      const outcome = await watchJob(spec, large.join('\n'), { master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, large);
      expectDeaths(outcome, 3, 'every worker dies after writing its 3rd output');
    }));

  it('problem 2: a worker whose node is killed (kill -9) after its 3rd task, beside a healthy one: every line once', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('kill'), app: IDENTITY, mapJobs: 10, reduceJobs: 5 };
      await startMaster('stage', spec.name);
      await rpc.call(mr2, CLUSTER, 'startWorkers', [plan('stage', spec.name, { death: { afterWrites: 3, how: 'node' } })]);
      await startWorkers(plan('stage', spec.name));
      const outcome = await watchJob(spec, large.join('\n'), { master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, large);
      expectDeaths(outcome, 1, `the worker on ${label(mr2)} dies after writing its 3rd task's output, before reporting it`);
      expectEveryWorkerWorked(outcome);
    }));
});
