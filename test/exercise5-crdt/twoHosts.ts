// Two stage 5 nodes with the same short name on two hosts of their own,
// shortener1@10.200.0.1 and shortener1@10.200.0.2, as in a room of laptops where
// everyone names their node shortener1. One port mapper cannot hold two nodes of
// the same short name, a host can: the hosts are Linux network namespaces joined
// by a veth pair (test/support/netns.ts), made and removed here, which needs root.
// The nodes are not connected at first; the test steers them over IPC (hostNode.ts).
import { spawnNode, type SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import { hostsUnavailable, makeTwoHosts, type TwoHosts } from '../support/netns.ts';

const BOOT = new URL('./hostNode.ts', import.meta.url).href;

/** Why this machine cannot have the two hosts (no root, not Linux), or undefined if it can. */
export const twoHostsUnavailable = hostsUnavailable;

export interface TwoHostNodes {
  readonly a: SpawnedNode;
  readonly b: SpawnedNode;
  /** Stops both nodes and removes the hosts. */
  stop(): Promise<void>;
}

export async function startTwoHosts(): Promise<TwoHostNodes> {
  const hosts = makeTwoHosts(`c${process.pid % 10_000}`);
  const started: SpawnedNode[] = [];
  const stop = async () => {
    await Promise.all(started.map((node) => node.stop().catch(() => node.kill())));
    hosts.remove();
  };
  const start = async (host: TwoHosts['a']) => {
    const node = await spawnNode({
      name: `shortener1@${host.address}`,
      cookie: 'stage5-two-hosts',
      boot: BOOT,
      wrapper: host.wrapper,
    });
    started.push(node);
    return node;
  };
  try {
    const [a, b] = await Promise.all([start(hosts.a), start(hosts.b)]);
    return { a, b, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
