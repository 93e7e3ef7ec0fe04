// Faults under load, stage 3: a map/reduce job (the reference solution's
// master and workers, on three nodes) runs while the storage is killed with -9
// and restarted at once, twice in the map phase and once in the reduce phase,
// and a worker's node is killed with -9 and restarted. The job must still end
// with every input line exactly once: workers and the master wait out a storage
// that is down for a moment and run their idempotent work again.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Storage, type NodeName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { mapReduce } from '#stage/exercise3-map-reduce/mapReduce.ts';
import type { Pair } from '#stage/exercise3-map-reduce/job.ts';

const MASTER_APP = new URL('../../solutions/exercise3-map-reduce/master.ts', import.meta.url).href;
/** The given worker; its nodes run the reference solution's layout (DISTSYS_TARGET below), whatever this run's target. */
const WORKER_APP = '#stage/exercise3-map-reduce/worker.ts';
const SLOW_IDENTITY = new URL('./slowIdentity.ts', import.meta.url).href;
const LINES = Array.from({ length: 60_000 }, (_, i) => `line ${i + 1}`);

let master: NodeName;
let workers: NodeName[] = [];

beforeAll(async () => {
  await LocalCluster.start();
  [master] = (await LocalCluster.startNodes('mrchaosm', 1, { boot: MASTER_APP, storage: true })) as [NodeName];
  workers = await LocalCluster.startNodes('mrchaosw', 2, { boot: WORKER_APP, env: { DISTSYS_TARGET: 'solutions', MAPREDUCE_MASTER: master } });
});
afterAll(() => LocalCluster.stopNodes());

describe('faults under load', () => {
  it('stage 3: a job during which the storage is killed -9 three times and a worker node once still outputs every line exactly once', { timeout: 40_000 }, async () => {
    const spec = { name: `chaos-${process.pid}`, app: SLOW_IDENTITY, mapJobs: 40, reduceJobs: 8 };
    // A job takes a few seconds here; it gets 20, faults included.
    const deadline = Date.now() + 20_000;
    let over = false;
    const run = mapReduce(spec, LINES.join('\n'), { master: { name: 'master', node: master }, timeoutMs: 20_000 }).finally(() => (over = true));
    run.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled

    const storage = Storage.connect();
    /** Waits until `key` is written (or the job is over); whether the job was still running then. */
    const written = async (key: string): Promise<boolean> => {
      await vi.waitFor(
        async () => {
          if (over || Date.now() >= deadline) return;
          if ((await storage.get(key).catch(() => null)) === null) throw new Error(`${key} not written yet`);
        },
        { timeout: Math.max(0, deadline - Date.now()) + 1_000, interval: 10 },
      );
      return !over;
    };
    const store = await LocalCluster.storageProcess();
    if (!store) throw new Error('the cluster runs no storage of its own');
    const restartStorage = async () => {
      await store.kill('SIGKILL');
      await store.restart();
    };

    const midJob: string[] = [];
    if (await written(`mr/${spec.name}/map/2/0`)) {
      await restartStorage();
      midJob.push('storage (map phase)');
    }
    if (await written(`mr/${spec.name}/map/12/0`)) {
      await LocalCluster.kill(workers[0] as NodeName);
      await LocalCluster.restart(workers[0] as NodeName);
      midJob.push('a worker node');
    }
    if (await written(`mr/${spec.name}/map/25/0`)) {
      await restartStorage();
      midJob.push('storage (map phase, again)');
    }
    if (await written(`mr/${spec.name}/reduce/0`)) {
      await restartStorage();
      midJob.push('storage (reduce phase)');
    }
    const result: Pair[] = await run.catch((err: Error) => {
      throw new Error(`the job did not end (${err.message}) after these were killed -9 and restarted mid-job: ${midJob.join(', ')}; does a worker that loses the storage for a moment crash, leaving nobody to run the tasks?`);
    });
    process.stdout.write(`faults under load (stage 3): killed -9 and restarted mid-job: ${midJob.join(', ')}; ${result.length} output lines\n`);
    expect(midJob.length, `the job ended before the faults it is meant to survive (only ${midJob.join(', ') || 'none'} happened mid-job)`).toBeGreaterThanOrEqual(3);

    const copies = new Map<string, number>();
    for (const [line, n] of result) copies.set(line, (copies.get(line) ?? 0) + (n as number));
    const missing = LINES.filter((line) => !copies.has(line));
    const doubled = LINES.filter((line) => (copies.get(line) ?? 0) > 1);
    expect(missing.length, `lines missing from the output, e.g. ${missing.slice(0, 3).join(', ')}`).toBe(0);
    expect(doubled.length, `lines counted more than once, e.g. ${doubled.slice(0, 3).join(', ')}`).toBe(0);
    expect(copies.size).toBe(LINES.length);
  });
});
