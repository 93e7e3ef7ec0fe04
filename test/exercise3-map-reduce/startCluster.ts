// The test files' cluster: the storage and the nodes start side by side (each
// is an OS process that takes a while to boot), then every node is told where
// the storage is.
import { rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { CLUSTER } from './cluster.ts';

export async function startCluster(prefix: string, count: number): Promise<NodeName[]> {
  await LocalCluster.start();
  const [url, nodes] = await Promise.all([LocalCluster.storage(), LocalCluster.startNodes(prefix, count)]);
  await Promise.all(nodes.map((node) => rpc.call(node, CLUSTER, 'useStorage', [url])));
  return nodes;
}
