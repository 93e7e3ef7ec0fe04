// Network partitions on demand, after the Elixir library Schism. `partition`
// cuts the listed nodes off from every other cluster node, both ways; the
// manager keeps talking to everyone, as in the original workshop, so tests can
// still look at every node. `heal` lets them back and reconnects them, which
// produces nodeup on both sides.
import { rpc } from '../rpc.ts';
import type { NodeName } from '../terms.ts';
import { AGENT } from './agent.ts';
import { LocalCluster } from './localCluster.ts';

async function onEach(nodes: NodeName[], fun: string, args: unknown[]): Promise<void> {
  await Promise.all(nodes.map((node) => rpc.call(node, AGENT, fun, args)));
}

/** How long a heal keeps trying to reconnect two nodes: a machine under load can miss one handshake's deadline. */
const RECONNECT_WITHIN_MS = 15_000;

/** Has `node` connect to `other`, again after a failed attempt (as a node's next send would), until it works or time is up. */
async function reconnect(node: NodeName, other: NodeName): Promise<void> {
  const deadline = Date.now() + RECONNECT_WITHIN_MS;
  for (let attempt = 1; ; attempt++) {
    if (await rpc.call<boolean>(node, AGENT, 'connect', [other])) return;
    if (Date.now() >= deadline) {
      throw new Error(`Schism.heal: ${node} could not reconnect to ${other} in ${attempt} attempts over ${RECONNECT_WITHIN_MS / 1000} s (is ${other} still running? its log says why a handshake failed)`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000)));
  }
}

export const Schism = {
  /** Cuts `nodes` off from the rest of the cluster; resolves once no connection crosses the cut. */
  async partition(nodes: NodeName[]): Promise<void> {
    const side = new Set(nodes);
    for (const node of nodes) if (!LocalCluster.nodes().includes(node)) throw new Error(`Schism.partition: ${node} is not a running cluster node`);
    const others = LocalCluster.nodes().filter((n) => !side.has(n));
    await onEach(nodes, 'block', [others]);
    await onEach(others, 'block', [nodes]);
  },

  /** Lets `nodes` talk to every cluster node again and reconnects them; resolves once they are connected. */
  async heal(nodes: NodeName[]): Promise<void> {
    const everyone = LocalCluster.nodes();
    await onEach(everyone, 'unblock', [nodes]);
    for (const node of nodes) await rpc.call(node, AGENT, 'unblock', [everyone]);
    for (const node of nodes) {
      const stillBlocked = new Set(await rpc.call<NodeName[]>(node, AGENT, 'blocked'));
      for (const other of everyone) {
        if (other === node || stillBlocked.has(other)) continue;
        await reconnect(node, other);
      }
    }
  },
};
