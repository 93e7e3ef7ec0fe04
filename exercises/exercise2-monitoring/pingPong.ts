// Ping-pong, now with failures: the consumer runs under a supervisor, which
// restarts it when it crashes; a restarted consumer has lost what it saw and must
// catch up; and producers must help consumers catch up after a netsplit.
//
// Make the tests pass: npm test -- exercise2 -t "problem 1" (then "problem 2").
import { GenServer, NetKernel, Node, Supervisor, type From, type NodeMessage, type NodeName } from '../../lib/index.ts';

export interface Ping {
  index: number;
  node: NodeName;
}

type Seen = Map<NodeName, number>;

/**
 * Problem 1: a consumer that starts (or restarts) asks every producer on every
 * connected node for its current count, and starts from those counts.
 * Producers that have sent nothing yet (count 0) are left out.
 */
export async function catchUp(): Promise<Seen> {
  // TODO: ask the producer on every connected node, this one included, for its 'count', all
  // at the same time, and return node -> count for those above 0. A producer that has not
  // answered within a couple of seconds is left out: init must finish within 5 s.
  return new Map();
}

export const Consumer = {
  name: 'consumer',
  init: (): Promise<Seen> => catchUp(),
  handleCast(msg: { ping: Ping }, seen: Seen) {
    const { index, node } = msg.ping;
    seen.set(node, Math.max(seen.get(node) ?? 0, index));
    return { noreply: true as const, state: seen };
  },
  handleCall(request: 'count' | 'counts', _from: From, seen: Seen) {
    if (request === 'counts') return { reply: Object.fromEntries(seen), state: seen };
    return { reply: [...seen.values()].reduce((a, b) => a + b, 0), state: seen };
  },
};

/** Problem 2, part 1: subscribe the calling process (the producer) to nodeup/nodedown messages. */
export function watchNodes(): void {
  // TODO: from now on, the calling process (the producer) gets a message whenever a node
  // connects to this one or goes away.
}

/** Problem 2, part 2: a node came up: tell the consumer on it this producer's current count. */
export function greet(node: NodeName, count: number): void {
  // TODO: if this producer has sent any ping, send the consumer on `node` its latest one
  // again: the ping numbered `count`, from this producer's node. Nothing when count is 0.
  void [node, count];
}

export const Producer = {
  name: 'producer',
  init(): number {
    watchNodes();
    return 0;
  },
  handleCall(request: 'ping' | 'count', _from: From, count: number) {
    if (request === 'count') return { reply: count, state: count };
    const index = count + 1;
    GenServer.abcast('consumer', { ping: { index, node: Node.self() } });
    return { reply: index, state: index };
  },
  handleInfo(msg: NodeMessage, count: number) {
    if (msg.type === 'nodeup') greet(msg.node, count);
    return { noreply: true as const, state: count };
  },
};

/** Boots the application on a node: the producer, then the consumer under its supervisor. */
export async function start(): Promise<void> {
  await GenServer.start(Producer, undefined, { name: 'producer' });
  await Supervisor.start([{ id: 'consumer', start: () => GenServer.startLink(Consumer, undefined, { name: 'consumer' }) }], { name: 'consumer_sup' });
}
