// Two nodes with the same short name on two hosts of their own, `<alive>@10.200.0.1`
// and `<alive>@10.200.0.2`, as in a room of laptops where everyone gives their node
// the same name. One port mapper cannot hold two nodes of the same short name, a
// host can: the hosts are Linux network namespaces joined by a veth pair
// (netns.ts), made and removed here, which needs root. Linux only: a stage test
// imports this module only on Linux. The nodes are not connected at first; the
// test steers them over IPC (ipcControl.ts), through the module they boot.
import { spawnNode, type SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import { hostsUnavailable, makeTwoHosts, type TwoHosts } from './netns.ts';

/** Why this machine cannot have the two hosts (no root, not Linux), or undefined if it can. */
export const twoHostsUnavailable = hostsUnavailable;

export interface TwoHostNodes {
  readonly a: SpawnedNode;
  readonly b: SpawnedNode;
  /** Stops both nodes and removes the hosts. */
  stop(): Promise<void>;
}

/** Starts `<alive>@10.200.0.1` and `<alive>@10.200.0.2`, each booting `boot` (a module URL), each on a host of its own. */
export async function startTwoHosts(alive: string, boot: string): Promise<TwoHostNodes> {
  const hosts = makeTwoHosts(`c${process.pid % 10_000}`);
  const started: SpawnedNode[] = [];
  const stop = async () => {
    await Promise.all(started.map((node) => node.stop().catch(() => node.kill())));
    hosts.remove();
  };
  const start = async (host: TwoHosts['a']) => {
    const node = await spawnNode({
      name: `${alive}@${host.address}`,
      cookie: 'two-hosts',
      boot,
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
