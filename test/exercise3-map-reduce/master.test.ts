// Stage 3, problem 1: the master hands out map jobs, then reduce jobs, to the
// workers that announce themselves, notices a worker that dies (its process alone,
// or its whole node), hands its task to another, and answers with the merged output. The master is the learner's;
// the workers and the storage layout are the kit's, so this problem does not
// wait on problem 2.
import { describe, it } from 'vitest';
import { rpc } from '../../lib/index.ts';
import { inProcess } from '../support/inProcess.ts';
import { CLUSTER, startMaster, startWorkers } from './cluster.ts';
import { IDENTITY, jobName, numberedLines } from './inputs.ts';
import { plan, short, useOneFarNode } from './oneFarNode.ts';
import { requireCluster } from './startCluster.ts';
import { watchJob } from './watchJob.ts';
import { expectDeaths, expectEveryLineOnce, expectEveryWorkerWorked, expectFinished } from './verdict.ts';

const cluster = useOneFarNode();
const lines = numberedLines(10_000);

describe('stage 3: the master', () => {
  it('problem 1: the master hands the map jobs, then the reduce jobs, to two workers and answers with every line once', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('master'), app: IDENTITY, mapJobs: 6, reduceJobs: 3 };
      await startMaster('kit', spec.name);
      await rpc.call(cluster.far, CLUSTER, 'startWorkers', [plan(cluster, 'kit', spec.name)]);
      await startWorkers(plan(cluster, 'kit', spec.name));
      const outcome = await watchJob(spec, lines.join('\n'), { master: cluster.master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
      expectEveryWorkerWorked(outcome);
    }));

  // Last in the file: it kills the far node.
  it('problem 1: workers that die while they hold a map job, one alone (its process ends) and one with its node (kill -9): the master hands each job to another worker', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('master-kill'), app: IDENTITY, mapJobs: 6, reduceJobs: 3 };
      await startMaster('kit', spec.name);
      // A worker whose process ends on its first task: its DOWN comes from the far node, with the reason and the ref that node sends.
      await rpc.call(cluster.far, CLUSTER, 'startWorkers', [plan(cluster, 'kit', spec.name, { death: { onTake: 1, how: 'process' } })]);
      // And one whose node is killed on its second task: its DOWN (noconnection) comes from the manager's own view of the connection.
      await rpc.call(cluster.far, CLUSTER, 'startWorkers', [plan(cluster, 'kit', spec.name, { death: { onTake: 2, how: 'node' } })]);
      await startWorkers(plan(cluster, 'kit', spec.name));
      const outcome = await watchJob(spec, lines.join('\n'), { master: cluster.master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
      expectDeaths(outcome, 2, `a worker on ${short(cluster.far)} dies on taking its 1st task, another with its node on taking its 2nd`);
    }));
});
