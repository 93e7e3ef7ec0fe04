// A reference ping-pong application (the original workshop's part 1) for the harness's own
// tests: every node runs a producer, which broadcasts numbered pings to the
// consumers on all connected nodes and, when a node comes up, tells that node's
// consumer its current count; and a consumer, which keeps the latest index per
// producer node. Booted by child nodes: `start()` runs at boot.
import { GenServer, NetKernel, Node, type From, type NodeMessage } from '../../lib/index.ts';

type Ping = { ping: { index: number; node: string } };

const Consumer = {
  name: 'consumer',
  init: () => new Map<string, number>(),
  handleCast(msg: Ping, seen: Map<string, number>) {
    const { index, node } = msg.ping;
    seen.set(node, Math.max(seen.get(node) ?? 0, index));
    return { noreply: true as const, state: seen };
  },
  handleCall(request: 'total' | 'counts', _from: From, seen: Map<string, number>) {
    if (request === 'counts') return { reply: Object.fromEntries(seen), state: seen };
    return { reply: [...seen.values()].reduce((a, b) => a + b, 0), state: seen };
  },
};

const Producer = {
  name: 'producer',
  init: () => {
    NetKernel.monitorNodes(true);
    return 0;
  },
  handleCall(request: 'ping' | 'count', _from: From, count: number) {
    if (request === 'count') return { reply: count, state: count };
    const next = count + 1;
    GenServer.abcast('consumer', { ping: { index: next, node: Node.self() } });
    return { reply: next, state: next };
  },
  handleInfo(msg: NodeMessage, count: number) {
    if (msg.type === 'nodeup' && count > 0) GenServer.cast({ name: 'consumer', node: msg.node }, { ping: { index: count, node: Node.self() } });
    return { noreply: true as const, state: count };
  },
};

export async function start(): Promise<void> {
  await GenServer.start(Consumer, undefined, { name: 'consumer' });
  await GenServer.start(Producer, undefined, { name: 'producer' });
}

export const PING_PONG = import.meta.url;
