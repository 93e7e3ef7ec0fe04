// Ping-pong: every node runs a producer and a consumer. A producer counts the
// pings it sends and broadcasts each one to the consumers on all connected nodes;
// a consumer remembers, per producer node, the latest ping it has seen.
//
//   producer@a --cast {ping: {index: 3, node: a}}--> consumer@a, consumer@b, consumer@c
//
// Make the tests pass: npm test -- exercise1 -t "problem 1" (then "problem 2").
import { GenServer, Node, type From, type NodeName } from '../../lib/index.ts';

export interface Ping {
  /** The producer's running count: its first ping is 1. */
  index: number;
  /** The producer's node. */
  node: NodeName;
}

type Seen = Map<NodeName, number>;

export const Consumer = {
  name: 'consumer',
  init: (): Seen => new Map(),
  handleCast(msg: { ping: Ping }, seen: Seen) {
    const { index, node } = msg.ping;
    // Pings may arrive more than once or late: keep the highest index per producer.
    seen.set(node, Math.max(seen.get(node) ?? 0, index));
    return { noreply: true as const, state: seen };
  },
  /** 'count': the pings seen in all (the sum over producers); 'counts': per producer node. */
  handleCall(request: 'count' | 'counts', _from: From, seen: Seen) {
    if (request === 'counts') return { reply: Object.fromEntries(seen), state: seen };
    return { reply: total(seen), state: seen };
  },
};

function total(seen: Seen): number {
  let sum = 0;
  for (const index of seen.values()) sum += index;
  return sum;
}

/** Problem 1: casts `ping` to the process registered as 'consumer' on every connected node, this one included. */
export function broadcast(ping: Ping): void {
  // TODO: cast { ping } to the consumer on every connected node, this one included. It
  // returns at once: it waits for no consumer, and a lost cast is not its concern.
  void ping;
}

/** Problem 2: asks the consumer on every connected node (this one included) for its count; returns node -> count. */
export async function collectCounts(): Promise<Record<NodeName, number>> {
  // TODO: ask the consumer on every connected node, this one included, for its 'count', all
  // at the same time, and return a plain object, node -> count. A consumer that has not
  // answered within a couple of seconds is left out: it must not hold up the caller.
  return {};
}

export const Producer = {
  name: 'producer',
  init: (): number => 0,
  /** 'ping': send the next ping, reply with its index; 'count': pings sent so far; 'collect': every consumer's count. */
  async handleCall(request: 'ping' | 'count' | 'collect', _from: From, count: number) {
    if (request === 'count') return { reply: count, state: count };
    if (request === 'collect') return { reply: await collectCounts(), state: count };
    const index = count + 1;
    broadcast({ index, node: Node.self() });
    return { reply: index, state: index };
  },
};

/** Boots the application on a node: its consumer, then its producer. */
export async function start(): Promise<void> {
  await GenServer.start(Consumer, undefined, { name: 'consumer' });
  await GenServer.start(Producer, undefined, { name: 'producer' });
}

/** Stops both servers (tests use it to start afresh). */
export async function stop(): Promise<void> {
  for (const name of ['producer', 'consumer']) await GenServer.stop(name).catch(() => undefined);
}
