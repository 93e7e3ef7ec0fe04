// The test files' cluster. First a probe of the master in this process, so that
// a master that hands out nothing fails the file's tests at once; then the
// storage and the nodes start side by side (each is an OS process that takes a
// while to boot), and every node is told where the storage is.
import { rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { CLUSTER } from './cluster.ts';
import { probeMaster } from './probeMaster.ts';

export interface TestCluster {
  nodes: NodeName[];
  /** Set when the probe failed: why every test of the file fails, without a cluster. */
  unusable?: string;
}

export async function startCluster(prefix: string, count: number): Promise<TestCluster> {
  await LocalCluster.start();
  const unusable = await probeMaster();
  if (unusable) return { nodes: [], unusable };
  const [url, nodes] = await Promise.all([LocalCluster.storage(), LocalCluster.startNodes(prefix, count)]);
  await Promise.all(nodes.map((node) => rpc.call(node, CLUSTER, 'useStorage', [url])));
  return { nodes };
}

/** Fails the calling test at once if the file's cluster was not started. */
export function requireCluster(cluster: { unusable?: string }): void {
  if (cluster.unusable) throw new Error(cluster.unusable);
}
