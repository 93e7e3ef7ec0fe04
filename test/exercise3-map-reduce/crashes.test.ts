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
const shortLines = numberedLines(10_000);

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

  it('problem 2: a task is reported done only once its output is stored: a worker on a slow link to the storage, its node killed (kill -9) right after a report', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('durable'), app: IDENTITY, mapJobs: 4, reduceJobs: 3 };
      await startMaster('stage', spec.name);
      // The far worker alone, each of its writes acknowledged 20 ms after it is sent. It dies as it takes its first
      // task after the one it reported before its writes were acknowledged, or else its second reduce job.
      const slow = plan(cluster, 'stage', spec.name, { death: { onTake: spec.mapJobs + 2, how: 'node' }, slowAcksMs: 20 });
      await rpc.call(cluster.far, CLUSTER, 'startWorkers', [slow]);
      const outcome = await watchJob(spec, shortLines.join('\n'), {
        master: cluster.master,
        // Then a healthy worker here takes over.
        during: async (progress) => {
          await progress.until((events) => events.some((e) => e.event === 'dying'));
          if (!progress.over()) await startWorkers(plan(cluster, 'stage', spec.name));
        },
      });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, shortLines);
      expectDeaths(outcome, 1, `the worker on ${short(cluster.far)} dies on taking a task`);
    }));

  it('problem 2: a worker whose node is killed (kill -9) after its 3rd task, beside a healthy one: every line once', () =>
    inProcess(async () => {
      requireCluster(cluster);
      const spec = { name: jobName('kill'), app: IDENTITY, mapJobs: 10, reduceJobs: 5 };
      await startMaster('stage', spec.name);
      await rpc.call(cluster.far, CLUSTER, 'startWorkers', [plan(cluster, 'stage', spec.name, { death: { afterWrites: 3, how: 'node' } })]);
      await startWorkers(plan(cluster, 'stage', spec.name));
      const outcome = await watchJob(spec, lines.join('\n'), { master: cluster.master });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
      expectDeaths(outcome, 1, `the worker on ${short(cluster.far)} dies after writing its 3rd task's output, before reporting it`);
      expectEveryWorkerWorked(outcome);
    }));
});
