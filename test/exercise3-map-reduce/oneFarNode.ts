// What the worker tests share: the master and a healthy worker run on the test's
// own node, other workers on one far node, which the file's last test kills.
import { afterEach, beforeAll } from 'vitest';
import { Node, rpc, type NodeName, type RemoteName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { traceFailures } from '../support/stage.ts';
import { CLUSTER, stopMaster, stopWorkers, type LayoutChoice, type WorkerPlan } from './cluster.ts';
import { IDENTITY } from './inputs.ts';
import { startCluster } from './startCluster.ts';

export interface OneFarNode {
  far: NodeName;
  /** The master, on this node. */
  master: RemoteName;
  /** Why the file's tests fail without a cluster (see startCluster). */
  unusable?: string;
}

/** Registers the file's hooks; the returned object is filled in before the first test. */
export function useOneFarNode(): OneFarNode {
  const cluster = {} as OneFarNode;
  beforeAll(async () => {
    const started = await startCluster('mr', 1);
    if (started.unusable) cluster.unusable = started.unusable;
    cluster.far = started.nodes[0] ?? '';
    cluster.master = { name: 'master', node: Node.self() };
  });
  afterEach(async () => {
    if (cluster.unusable) return;
    stopWorkers();
    // A node killed by a test leaves the cluster, so that the harness stops trying to reach it.
    if ((await Node.ping(cluster.far)) === 'pang') await LocalCluster.stopNodes([cluster.far]);
    else await rpc.call(cluster.far, CLUSTER, 'stopWorkers', [], 2_000).catch(() => undefined);
    await stopMaster();
  });
  // Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
  traceFailures();
  return cluster;
}

/** A plan for workers of `job` (the identity job) that report to this file's master. */
export const plan = (cluster: OneFarNode, layout: LayoutChoice, job: string, more: Partial<WorkerPlan> = {}): WorkerPlan => ({
  master: cluster.master,
  layout,
  job,
  app: IDENTITY,
  workers: 1,
  ...more,
});

/** `mr1` for `mr1@host`. */
export const short = (node: NodeName): string => node.split('@')[0] as string;
