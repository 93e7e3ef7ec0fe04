// Stage 3, problem 2: master and workers on three nodes while the network is cut
// and healed six times in quick succession. The master takes a worker that is
// cut off for dead and hands its task to another, but the first worker runs on,
// and its report may still come, late. The output of the identity job over
// 100,000 numbered lines must hold every line exactly once.
import { describe, it } from 'vitest';
import { Schism } from '../../lib/cluster/index.ts';
import type { NodeName } from '../../lib/index.ts';
import { inProcess } from '../support/inProcess.ts';
import { IDENTITY, jobName, numberedLines } from './inputs.ts';
import { cut, startJob, useThreeNodes } from './threeNodes.ts';
import { watchJob, type Progress } from './watchJob.ts';
import { expectEveryLineOnce, expectFinished } from './verdict.ts';

const cluster = useThreeNodes();
const lines = numberedLines(100_000);

/** Cuts each side off in turn and heals it at once, each time after the job has written one more output. */
async function splitAndHeal(job: string, progress: Progress, sides: NodeName[][]): Promise<void> {
  for (const side of sides) {
    if (progress.over()) return;
    await progress.written(1);
    await cut(job, side);
    await Schism.heal(side);
  }
}

describe('stage 3: a network that splits', () => {
  it('problem 2: master and workers on three nodes, the network partitioned and healed six times in quick succession: every line once', () =>
    inProcess(async () => {
      const spec = { name: jobName('netsplit'), app: IDENTITY, mapJobs: 12, reduceJobs: 5 };
      await startJob(cluster, spec.name);
      const [m, w1, w2] = cluster.nodes;
      const sides = [[w1], [m], [w2], [w1], [m], [w2]];
      const outcome = await watchJob(spec, lines.join('\n'), { master: cluster.master, during: (progress) => splitAndHeal(spec.name, progress, sides) });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
    }));
});
