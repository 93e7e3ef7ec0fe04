// Faults on inter-node links: drop, duplicate and delay messages, per link or on
// all of them, from a seeded random source that replays the same decisions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receive, rpc, self, type Pid } from '../../lib/index.ts';
import { Faults, LocalCluster } from '../../lib/cluster/index.ts';
import { FaultPlan } from '../../lib/cluster/faults.ts';
import { fixture } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';
import { injectFaults } from '../support/faults.ts';

const app = fixture('app.ts');
let a: string;
let b: string;
let c: string;

beforeAll(async () => {
  [a, b, c] = (await LocalCluster.startNodes('faulty', 3)) as [string, string, string];
});
afterAll(() => LocalCluster.stopNodes());

/** What a collector on `to` got after a process on `from` sent it 0..count-1. */
async function deliver(from: string, to: string, count: number): Promise<number[]> {
  const collector = await rpc.call<Pid>(to, app, 'startCollector', [self()]);
  await rpc.call(from, app, 'sendNumbersLinked', [collector, count]);
  return ((await receive((m) => typeof m === 'object' && m !== null && 'seen' in m, 10_000)) as { seen: number[] }).seen;
}

describe('faults', () => {
  it('drop on one link loses its messages and no others; turned off, messages flow again', () =>
    inProcess(async () => {
      await injectFaults({ drop: 1, links: [[a, b]] });
      expect(await deliver(a, b, 20)).toEqual([]);
      expect(await deliver(c, b, 20)).toHaveLength(20);
      expect(await deliver(b, a, 20)).toHaveLength(20);
      await Faults.clear();
      expect(await deliver(a, b, 20)).toHaveLength(20);
    }));

  it('the same seed drops the same messages on a link; another seed, others', () =>
    inProcess(async () => {
      await injectFaults({ drop: 0.3, seed: 42 });
      const first = await deliver(a, b, 200);
      await injectFaults({ drop: 0.3, seed: 42 });
      const second = await deliver(a, b, 200);
      await injectFaults({ drop: 0.3, seed: 43 });
      const third = await deliver(a, b, 200);
      await Faults.clear();
      expect(first.length).toBeGreaterThan(100);
      expect(first.length).toBeLessThan(190);
      expect(second).toEqual(first);
      expect(third).not.toEqual(first);
      // What a replay reproduces is the plan: the n-th message on a link meets the n-th fate.
      const plan = new FaultPlan({ seed: 42, drop: 0.3 });
      const kept = [...Array(200).keys()].filter(() => plan.next(a, b).kind !== 'drop');
      expect(first).toEqual(kept);
    }));

  it('DISTSYS_SEED sets the seed when a test gives none', () =>
    inProcess(async () => {
      process.env.DISTSYS_SEED = '1234';
      try {
        expect(await Faults.inject({ drop: 0 })).toBe(1234);
      } finally {
        delete process.env.DISTSYS_SEED;
        await Faults.clear();
      }
    }));

  it('duplicate delivers some messages twice, delay holds them back; a link never reorders', () =>
    inProcess(async () => {
      await injectFaults({ duplicate: 0.5 });
      const doubled = await deliver(a, c, 100);
      expect(doubled.length).toBeGreaterThan(110);
      expect(new Set(doubled).size).toBe(100);
      expect(doubled).toEqual([...doubled].sort((x, y) => x - y));

      await injectFaults({ delay: { rate: 0.2, minMs: 20, maxMs: 60 } });
      const late = await deliver(c, a, 100);
      expect(late).toEqual([...Array(100).keys()]);
      await Faults.clear();
    }));
});
