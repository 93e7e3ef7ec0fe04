// Booted by the two stage 5 nodes that the tests start on hosts of their own
// (network namespaces), which the test cannot reach over the network: it
// steers them over their IPC channel (test/support/ipcControl.ts). Each node
// runs the learner's aggregates server, and counts when told to, as the API
// does on a redirect. In front of that server, under its name, stands a proxy
// that keeps what the other node sends it, so that a failure can say what the
// other node's recordRedirect sent.
import { GenServer, Node, type From, type NodeName } from '../../lib/index.ts';
import { AGGREGATES, AggregatesServer, countFor, recordRedirect } from '#stage/exercise5-crdt/aggregates.ts';
import { serveOverIpc } from '../support/ipcControl.ts';

const LEARNERS = 'aggregates-behind-the-proxy';
const received: unknown[] = [];

const Proxy = {
  name: 'the aggregates proxy',
  init: (): null => null,
  handleCast(message: unknown, state: null) {
    received.push(message);
    GenServer.cast(LEARNERS, message);
    return { noreply: true as const, state };
  },
  async handleCall(request: unknown, _from: From, state: null) {
    return { reply: await GenServer.call(LEARNERS, request), state };
  },
};

const ops: Record<string, (...args: never[]) => unknown> = {
  connect: (node: NodeName) => Node.connect(node),
  /** One redirect of `code` served here; answers this node's count right after. */
  redirect: (code: string) => {
    recordRedirect(code);
    return countFor(code);
  },
  /**
   * This node's count of `code`, and `peer`'s, asked of `peer`'s aggregates server:
   * the call travels behind every merge this node sent `peer` before, so its answer includes them.
   */
  counts: async (code: string, peer: NodeName) => ({
    here: await countFor(code),
    there: await GenServer.call<number>({ name: AGGREGATES, node: peer }, { count: code }, 5_000),
  }),
  /** What the other node sent this one's aggregates server since the last time. */
  received: () => received.splice(0),
};

export async function start(): Promise<void> {
  await GenServer.start(AggregatesServer, undefined, { name: LEARNERS });
  await GenServer.start(Proxy, undefined, { name: AGGREGATES });
  serveOverIpc(ops);
}
