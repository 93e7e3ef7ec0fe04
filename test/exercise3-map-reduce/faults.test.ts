// Stage 3, problem 2: seeded faults duplicate and delay messages between master
// and workers, on three nodes, so a task can arrive (and run) twice and a report
// can arrive twice. And one report comes late by construction: a worker is cut
// off while it holds a map job, the other worker does that job and starts the
// reduce jobs, then the first one comes back and reports. The output of the
// identity job over 100,000 numbered lines must hold every line exactly once.
import { describe, it } from 'vitest';
import { rpc } from '../../lib/index.ts';
import { Schism } from '../../lib/cluster/index.ts';
import { injectFaults } from '../support/faults.ts';
import { inProcess } from '../support/inProcess.ts';
import { CLUSTER } from './cluster.ts';
import type { Evidence } from './evidence.ts';
import { IDENTITY, jobName, numberedLines } from './inputs.ts';
import { cut, nodeOf, startJob, useThreeNodes } from './threeNodes.ts';
import { watchJob } from './watchJob.ts';
import { expectEveryLineOnce, expectFinished } from './verdict.ts';

const cluster = useThreeNodes();
const lines = numberedLines(100_000);

describe('stage 3: messages twice, or late', () => {
  it("problem 2: duplicated and delayed messages between master and workers (seeded faults), and a map job's report that comes after the reduce jobs began: every line once", () =>
    inProcess(async () => {
      const spec = { name: jobName('faults'), app: IDENTITY, mapJobs: 12, reduceJobs: 5 };
      // One worker will stop holding a map job whose id is no reduce job's id; the other, its first reduce job.
      await startJob(cluster, spec.name, { mapFrom: spec.reduceJobs });
      await injectFaults({ duplicate: 0.3, delay: { rate: 0.3, minMs: 5, maxMs: 80 } });
      const holding = (kind: 'map' | 'reduce') => (events: Evidence[]) => events.find((e) => e.event === 'holding' && e.kind === kind);
      const outcome = await watchJob(spec, lines.join('\n'), {
        master: cluster.master,
        during: async (progress) => {
          // The master takes x for dead and hands its map job to y, which does every map job, then holds a reduce job.
          let events: Evidence[] = [];
          const until = async (check: (events: Evidence[]) => unknown) => progress.until((now) => Boolean(check((events = now))));
          if (!(await until(holding('map')))) return;
          const x = nodeOf(cluster, holding('map')(events) as Evidence);
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
          await rpc.call(nodeOf(cluster, held), CLUSTER, 'release', [spec.name]);
        },
      });
      expectFinished(outcome);
      expectEveryLineOnce(outcome, lines);
    }));
});
