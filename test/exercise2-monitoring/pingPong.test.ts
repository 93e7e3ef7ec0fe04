// Stage 2, problems 3 and 4: ping-pong that survives a consumer crash and a netsplit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenServer, Node, Process, rpc, samePid, type NodeName, type Pid } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { start } from '#stage/exercise2-monitoring/pingPong.ts';
import { eventually, label, stageModule, traceFailures } from '../support/stage.ts';
import { PROBE } from '../support/probe.ts';
import { inProcess } from '../support/inProcess.ts';

const APP = stageModule('exercise2-monitoring/pingPong.ts');
let n1: NodeName;
let n2: NodeName;

beforeEach(async () => {
  await LocalCluster.start();
  [n1, n2] = (await LocalCluster.startNodes('ping-pong', 2, { boot: APP })) as [NodeName, NodeName];
});
afterEach(() => LocalCluster.stopNodes());
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

const ping = (node: NodeName) => GenServer.call<number>({ name: 'producer', node }, 'ping');
const consumerCount = (node: NodeName) => GenServer.call<number>({ name: 'consumer', node }, 'count');
const consumerPid = (node: NodeName) => rpc.call<Pid | undefined>(node, PROBE, 'whereis', ['consumer']);

describe('stage 2: ping-pong with failures', () => {
  it('problem 3: a consumer that crashes is restarted and catches up with every producer (count 2 again)', () =>
    inProcess(async () => {
      await start(); // the test node runs the application too, as in the original
      try {
        await ping(Node.self());
        await ping(Node.self());
        await eventually(() => consumerCount(n1), 2, (n) => `before the crash, consumer on ${label(n1)} saw ${n} pings from manager, expected 2`);
        const before = (await consumerPid(n1)) as Pid;
        Process.exit(before, 'kill');
        await eventually(
          async () => {
            const now = await consumerPid(n1);
            return now !== undefined && !samePid(now, before);
          },
          true,
          () => `the consumer on ${label(n1)} was killed and no new one was registered: is it started under the supervisor?`,
        );
        await eventually(
          () => consumerCount(n1),
          2,
          (n) => `after its restart, consumer on ${label(n1)} saw ${n} pings from manager, expected 2: a starting consumer must ask every producer for its count`,
        );
      } finally {
        for (const name of ['consumer_sup', 'producer']) await GenServer.stop(name).catch(() => undefined);
      }
    }));

  it('problem 4: after a netsplit heals, producers tell the newcomers their counts (totals 2, 3, then 4)', () =>
    inProcess(async () => {
      await ping(n1);
      await ping(n2);
      for (const node of [n1, n2]) await eventually(() => consumerCount(node), 2, (n) => `consumer on ${label(node)} saw ${n} pings, expected 2 (one from each of ${label(n1)} and ${label(n2)})`);

      await Schism.partition([n1]);
      await ping(n1);
      await ping(n2);
      for (const node of [n1, n2]) {
        await eventually(() => consumerCount(node), 3, (n) => `during the partition consumer on ${label(node)} saw ${n} pings, expected 3 (its own producer's 2, the other side's 1)`);
      }
      expect(await consumerCount(n1)).toBe(3);

      await Schism.heal([n1]);
      for (const node of [n1, n2]) {
        await eventually(
          () => consumerCount(node),
          4,
          (n) => `after the heal consumer on ${label(node)} saw ${n} pings, expected 4: on nodeup each producer must send its current count to the newcomer's consumer`,
        );
      }
    }));
});
