// How the live view reaches a cluster: which nodes to show, how to look at one,
// how to run the harness agent's functions on one (to partition and heal), and,
// for the nodes this process started itself, how to kill -9 and restart them.
// Three kinds: the LocalCluster of this process (a test, a shell, a demo), a
// demo's own nodes (demo/demoCluster.ts), and a cluster it attached to through
// the port mapper (attach.ts), whose nodes it cannot kill.
import { Node, rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { AGENT } from '../../lib/internal.ts';
import { VIEW_AGENT, type Look } from './nodeAgent.ts';

export type AgentFunction = 'block' | 'unblock' | 'connect' | 'blocked';

export interface Member {
  readonly name: NodeName;
  /** Running, as far as whoever started it knows (an attached view: registered with the port mapper). */
  readonly running: boolean;
}

export interface ClusterAccess {
  /** The view's own node: it reaches every node, also across a partition, and is not drawn. */
  readonly observer: NodeName;
  /** The nodes to show: running ones, and those known before that are down now. */
  members(): Promise<Member[]>;
  look(node: NodeName): Promise<Look>;
  agent(node: NodeName, fun: AgentFunction, args: unknown[]): Promise<unknown>;
  /** Kill -9 and restart, for the nodes this process started; absent when it started none. */
  readonly lifecycle: Lifecycle | undefined;
  /** Why kill and restart are not offered (shown on the page), when `lifecycle` is absent. */
  readonly noLifecycle?: string;
  /** Lets go of the nodes (stops the traces the view started on them). */
  release(): Promise<void>;
}

export interface Lifecycle {
  owns(node: NodeName): boolean;
  kill(node: NodeName): Promise<void>;
  restart(node: NodeName): Promise<void>;
}

export const LOOK_TIMEOUT_MS = 1_500;

/** Over distribution: rpc to the view agent and the harness agent (every kit node can import both). */
export const overRpc = {
  look: (node: NodeName): Promise<Look> => rpc.call<Look>(node, VIEW_AGENT, 'look', [Node.self()], LOOK_TIMEOUT_MS),
  agent: (node: NodeName, fun: AgentFunction, args: unknown[]): Promise<unknown> => rpc.call(node, AGENT, fun, args, 5_000),
  release: (nodes: NodeName[]): Promise<unknown> => Promise.allSettled(nodes.map((n) => rpc.call(n, VIEW_AGENT, 'release', [], LOOK_TIMEOUT_MS))),
};

/** The LocalCluster of this process: every node it started stays in the picture, down once killed or stopped. */
export function localClusterAccess(): ClusterAccess {
  const known = new Set<NodeName>();
  return {
    observer: Node.self(),
    async members() {
      const running = new Set(LocalCluster.nodes());
      for (const node of running) known.add(node);
      return [...known].map((name) => ({ name, running: running.has(name) }));
    },
    look: overRpc.look,
    agent: overRpc.agent,
    lifecycle: {
      owns: (node) => known.has(node),
      kill: (node) => LocalCluster.kill(node),
      restart: async (node) => {
        await LocalCluster.restart(node);
      },
    },
    release: async () => {
      await overRpc.release(LocalCluster.nodes());
    },
  };
}
