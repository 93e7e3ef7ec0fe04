// The view of a cluster this process did not start (`distsys view`): the port
// mapper names the nodes on this host, the view's node connects to them with
// the cookie it was given, and looks at them through rpc. It can partition and
// heal them (through the harness agent, which every kit node can import), but
// not kill or restart them: it has no hold on their OS processes.
//
// The view is a node like any other, so connecting to every node also meshes
// them with each other (the kit has no hidden nodes, which Erlang uses for
// such observers). A node that refuses it (another cookie) is shown as not
// answering and asked again less and less often, so its log is not flooded.
import { Node, type NodeName } from '../../lib/index.ts';
import { EpmdClient, epmdPortFromEnv, hostOf } from '../../lib/internal.ts';
import { overRpc, type ClusterAccess } from './clusterAccess.ts';

const NO_LIFECYCLE_ATTACHED =
  'Kill -9 and Restart are off: this view attached to nodes it did not start, so it has no hold on their processes (a demo\'s view has).';

export function attachedAccess(epmdPort = epmdPortFromEnv()): ClusterAccess {
  const observer = Node.self();
  const host = hostOf(observer);
  const known = new Set<NodeName>();
  const backoff = new Map<NodeName, { until: number; ms: number }>();
  let client: EpmdClient | undefined;

  const registered = async (): Promise<NodeName[]> => {
    try {
      client ??= await EpmdClient.connect(epmdPort);
      return (await client.names()).map(({ name }) => `${name}@${host}`).filter((n) => n !== observer);
    } catch {
      client?.close();
      client = undefined;
      return [];
    }
  };

  return {
    observer,
    async members() {
      const running = new Set(await registered());
      for (const node of running) known.add(node);
      return [...known].map((name) => ({ name, running: running.has(name) }));
    },
    async look(node) {
      const wait = backoff.get(node);
      if (wait && Date.now() < wait.until) throw new Error(`${node} refused the view a moment ago`);
      try {
        const seen = await overRpc.look(node);
        backoff.delete(node);
        return seen;
      } catch (err) {
        const ms = Math.min(30_000, (wait?.ms ?? 500) * 2);
        backoff.set(node, { until: Date.now() + ms, ms });
        throw err;
      }
    },
    agent: overRpc.agent,
    lifecycle: undefined,
    noLifecycle: NO_LIFECYCLE_ATTACHED,
    async release() {
      await overRpc.release(Node.list());
      client?.close();
      client = undefined;
    },
  };
}
