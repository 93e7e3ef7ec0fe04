// What the network tests share: master and workers on three nodes of their own
// (the master on the first, one worker on each of the others), started once per
// file and cleaned between tests, and a way to cut a node off that is noted in
// the job's evidence.
import { afterEach, beforeAll } from 'vitest';
import { Storage, rpc, type NodeName, type RemoteName } from '../../lib/index.ts';
import { Faults, Schism } from '../../lib/cluster/index.ts';
import { traceFailures } from '../support/stage.ts';
import { CLUSTER, type WorkerPlan } from './cluster.ts';
import { record, type Evidence } from './evidence.ts';
import { IDENTITY } from './inputs.ts';
import { requireCluster, startCluster } from './startCluster.ts';

export interface ThreeNodes {
  /** [the master's node, a worker's node, the other worker's node] */
  nodes: [NodeName, NodeName, NodeName];
  master: RemoteName;
  /** Why the file's tests fail without a cluster (see startCluster). */
  unusable?: string;
}

/** Registers the file's hooks; the returned object is filled in before the first test. */
export function useThreeNodes(): ThreeNodes {
  const cluster = {} as ThreeNodes;
  beforeAll(async () => {
    const started = await startCluster('mr', 3);
    if (started.unusable) cluster.unusable = started.unusable;
    cluster.nodes = started.nodes as ThreeNodes['nodes'];
    cluster.master = { name: 'master', node: cluster.nodes[0] ?? '' };
  });
  afterEach(async () => {
    if (cluster.unusable) return;
    await Faults.clear();
    await Schism.heal(cluster.nodes);
    await Promise.all(cluster.nodes.map((node) => rpc.call(node, CLUSTER, 'stopWorkers', [], 2_000).catch(() => undefined)));
    await rpc.call(cluster.nodes[0], CLUSTER, 'stopMaster', [], 5_000).catch(() => undefined);
  });
  // Registered after the cluster's hooks: traces start once the nodes are up, and are written before they stop.
  traceFailures();
  return cluster;
}

/** Starts the master for `job` and one worker on each worker node (with `hold`, as `Hold` says). */
export async function startJob({ nodes, master, unusable }: ThreeNodes, job: string, hold?: WorkerPlan['hold']): Promise<void> {
  requireCluster({ ...(unusable ? { unusable } : {}) });
  await rpc.call(nodes[0], CLUSTER, 'startMaster', ['stage', job]);
  for (const node of nodes.slice(1)) {
    await rpc.call(node, CLUSTER, 'startWorkers', [{ master, layout: 'stage', job, app: IDENTITY, workers: 1, ...(hold ? { hold } : {}) } satisfies WorkerPlan]);
  }
}

/** Cuts `side` off the rest of the cluster, noting it in the job's evidence first. */
export async function cut(job: string, side: NodeName[]): Promise<void> {
  for (const node of side) await record(Storage.connect(), job, { worker: 'manager', event: 'cut', node: node.split('@')[0] as string });
  await Schism.partition(side);
}

/** The node a worker of the evidence runs on. */
export const nodeOf = ({ nodes }: ThreeNodes, e: Evidence): NodeName => nodes.find((n) => e.worker.startsWith(`${n.split('@')[0]}.`)) ?? e.worker;
