// Stage 1, problems 1 and 2: ping-pong across three nodes (the test node and two more).
import { afterEach, beforeEach, describe, it } from 'vitest';
import { GenServer, Node, type NodeName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { start, stop } from '#stage/exercise1-connect/pingPong.ts';
import { eventually, label, stageModule, traceFailures } from '../support/stage.ts';
import { inProcess } from '../support/inProcess.ts';

const APP = stageModule('exercise1-connect/pingPong.ts');
let nodes: NodeName[] = [];

beforeEach(async () => {
  await LocalCluster.start();
  await start();
  nodes = [Node.self(), ...(await LocalCluster.startNodes('ping-pong', 2, { boot: APP }))];
});
afterEach(async () => {
  await LocalCluster.stopNodes();
  await stop();
});
// Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
traceFailures();

const ping = (node: NodeName) => GenServer.call<number>({ name: 'producer', node }, 'ping');
const consumerCount = (node: NodeName) => GenServer.call<number>({ name: 'consumer', node }, 'count');

describe('stage 1: ping-pong', () => {
  it('problem 1: one ping from each of three producers reaches every consumer (each counts 3)', () =>
    inProcess(async () => {
      for (const node of nodes) await ping(node);
      for (const node of nodes) {
        await eventually(
          () => consumerCount(node),
          3,
          (n) => `consumer on ${label(node)} saw ${n} pings, expected 3 (one from each producer: ${nodes.map(label).join(', ')})`,
        );
      }
    }));

  it('problem 2: a producer asked to collect returns node -> count for all three consumers', () =>
    inProcess(async () => {
      // Three pings from the manager, cast straight to each consumer (so this problem does not depend on problem 1).
      for (const node of nodes) GenServer.cast({ name: 'consumer', node }, { ping: { index: 3, node: Node.self() } });
      for (const node of nodes) await eventually(() => consumerCount(node), 3, (n) => `consumer on ${label(node)} counts ${n}, expected 3`);
      const [, n1] = nodes as [NodeName, NodeName, NodeName];
      const expected = Object.fromEntries(nodes.map((node) => [node, 3]));
      await eventually(
        () => GenServer.call<Record<string, number>>({ name: 'producer', node: n1 }, 'collect'),
        expected,
        (got) => `the producer on ${label(n1)} collected ${JSON.stringify(relabel(got))}, expected ${JSON.stringify(relabel(expected))}`,
      );
    }));
});

function relabel(counts: Record<string, number> | undefined): Record<string, number> | undefined {
  return counts && Object.fromEntries(Object.entries(counts).map(([node, n]) => [label(node), n]));
}
