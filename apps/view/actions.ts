// What the view's buttons do to a cluster: partition one node from the rest,
// heal every cut, kill -9 and restart a node. Partitions use the harness agent
// on each node (as Schism does), so they work on any cluster the view reaches;
// kill and restart only on nodes this process started.
import type { NodeName } from '../../lib/index.ts';
import type { ClusterAccess } from './clusterAccess.ts';

export interface Actions {
  partition(node: NodeName): Promise<void>;
  heal(): Promise<void>;
  kill(node: NodeName): Promise<void>;
  restart(node: NodeName): Promise<void>;
}

async function running(access: ClusterAccess): Promise<NodeName[]> {
  return (await access.members()).filter((m) => m.running).map((m) => m.name);
}

export function clusterActions(access: ClusterAccess): Actions {
  const owned = (node: NodeName) => {
    if (!access.lifecycle?.owns(node)) throw new Error(access.noLifecycle ?? `${node} was not started by this process: it cannot be killed or restarted from here`);
    return access.lifecycle;
  };
  return {
    /** Cuts `node` off from every other running node, both ways (the view's node still reaches it). */
    async partition(node) {
      const nodes = await running(access);
      if (!nodes.includes(node)) throw new Error(`${node} is not running`);
      const others = nodes.filter((n) => n !== node);
      await access.agent(node, 'block', [others]);
      await Promise.all(others.map((other) => access.agent(other, 'block', [[node]])));
    },

    /** Lets every cut link back in and reconnects exactly those links (nodes that never met stay apart). */
    async heal() {
      const nodes = await running(access);
      const cut = await Promise.all(nodes.map(async (node) => ({ node, blocked: (await access.agent(node, 'blocked', [])) as NodeName[] })));
      await Promise.all(cut.map(({ node, blocked }) => (blocked.length ? access.agent(node, 'unblock', [blocked]) : undefined)));
      for (const { node, blocked } of cut) {
        for (const other of blocked) if (nodes.includes(other) && node < other) await access.agent(node, 'connect', [other]);
      }
    },

    kill: (node) => owned(node).kill(node),
    restart: (node) => owned(node).restart(node),
  };
}
