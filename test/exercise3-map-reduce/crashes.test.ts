// Stage 3, problem 2, workers that die: the master hands each task out at least
// once, so a task can run twice. A worker may write its output and die before it
// reports the task done; the task then runs again elsewhere. On an identity job
// over 100,000 numbered lines, the output must hold every line exactly once.
// And a task reported done is done for good: its output must be in the storage
// before the report leaves, or a node killed right after it loses the output.
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
const lines = numberedLines(100_000);

describe('stage 3: workers that die', () => {
  it('problem 2: a stream of new workers that each die after their 3rd task: every line once', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('stream'), app: IDENTITY, mapJobs: 10, reduceJobs: 5 };
      await startMaster('stage', spec.name);
      // Two at a time; each dies right after writing its 3rd output (before reporting it), and a new one takes its place.
      const stream = plan(cluster, 'stage', spec.name, { workers: 2, stream: true, death: { afterWrites: 3, how: 'process' } });
      await rpc.call(cluster.far, CLUSTER, 'startWorkers', [stream]);
      const outcome = await watchJob(spec, lines.join('\n'), { master: cluster.master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
      expectDeaths(outcome, 3, 'every worker dies after writing its 3rd output');
    }));

  // Last in the file: it kills the far node.
  it('problem 2: a worker on a slow link to the storage, its node killed (kill -9) after its 3rd task, beside a healthy one: every line once, and nothing it reported lost', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('kill'), app: IDENTITY, mapJobs: 10, reduceJobs: 5 };
      await startMaster('stage', spec.name);
      // Each of its writes is acknowledged 20 ms after it is sent. It dies right after writing its 3rd task's output, before
      // reporting it; or, if a task of it was reported before its writes were acknowledged, on taking its next task.
      const far = plan(cluster, 'stage', spec.name, { death: { afterWrites: 3, how: 'node' }, slowAcksMs: 20 });
      await rpc.call(cluster.far, CLUSTER, 'startWorkers', [far]);
      await startWorkers(plan(cluster, 'stage', spec.name));
      const outcome = await watchJob(spec, lines.join('\n'), { master: cluster.master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
      expectDeaths(outcome, 1, `the worker on ${short(cluster.far)} dies after writing its 3rd task's output, before reporting it`);
      expectEveryWorkerWorked(outcome);
    }));
});
