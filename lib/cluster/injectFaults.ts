// The manager's side of faults: one seed for the run, pushed to every cluster
// node with the links it applies to. Links to and from the manager are left
// alone unless named, so the test's own calls to the nodes stay reliable.
import { rpc } from '../rpc.ts';
import type { NodeName } from '../terms.ts';
import { AGENT } from './agent.ts';
import { faultConfig, seedFromEnv, type FaultConfig } from './faults.ts';
import { LocalCluster } from './localCluster.ts';

let current: { seed: number } | undefined;

export const Faults = {
  /**
   * Drops, duplicates or delays messages between cluster nodes from now on; returns the seed.
   * Without `seed`, it is DISTSYS_SEED when set, random otherwise; run again with
   * DISTSYS_SEED=<seed> to make the same decisions for the same sends on each link.
   */
  async inject(config: Omit<FaultConfig, 'seed'> & { seed?: number }): Promise<number> {
    // A test may name its seed; otherwise DISTSYS_SEED (to replay), else one random seed for the run.
    const seed = config.seed ?? (process.env.DISTSYS_SEED ? seedFromEnv() : (current?.seed ?? seedFromEnv()));
    const nodes = LocalCluster.nodes();
    const links = config.links ?? nodes.flatMap((from) => nodes.filter((to) => to !== from).map((to): [NodeName, NodeName] => [from, to]));
    const full = faultConfig.parse({ ...config, seed, links });
    await Promise.all(nodes.map((node) => rpc.call(node, AGENT, 'setFaults', [full])));
    current = { seed };
    return seed;
  },

  /** Turns every fault off; messages flow normally again (held-back ones still arrive). */
  async clear(): Promise<void> {
    await Promise.all(LocalCluster.nodes().map((node) => rpc.call(node, AGENT, 'setFaults', [null])));
  },

  /** The seed of the faults injected in this run, if any. */
  seed(): number | undefined {
    return current?.seed;
  },
};
