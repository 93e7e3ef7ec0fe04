// What the stage 2 tests run on a ping-pong node through rpc.call, to read the
// cluster at a moment the test can name instead of waiting for it.
import { GenServer, Node, type NodeName } from '../../lib/index.ts';

export const PROBES = import.meta.url;

/**
 * The consumer on `peer` as this node's producer has left it after learning that
 * `peer` is up: once this node is connected to `peer`, its producer has the nodeup
 * in its mailbox; a call to the producer returns after it has handled it (and cast
 * any greeting); the call to `peer`'s consumer then travels behind that greeting,
 * on the same connection, so its answer includes it.
 */
export async function countsAfterNodeup(peer: NodeName, withinMs = 5_000): Promise<Record<NodeName, number>> {
  const deadline = Date.now() + withinMs;
  while (!Node.list().includes(peer)) {
    if (Date.now() > deadline) throw new Error(`${Node.self()} is not connected to ${peer} ${withinMs} ms after the heal`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await GenServer.call('producer', 'count');
  return GenServer.call({ name: 'consumer', node: peer }, 'counts');
}
