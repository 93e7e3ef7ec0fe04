// Steering a node over its IPC channel, for nodes a test cannot reach over the
// network (they run in network namespaces of their own). The node serves a table
// of operations; each request `{ id, op, args }` gets one reply `{ id, ok, value }`
// or `{ id, ok: false, error }`.
import type { SpawnedNode } from '../../lib/cluster/spawnNode.ts';

type Ops = Record<string, (...args: never[]) => unknown>;

/** In the node (its boot module): answers each request with what `ops[op](...args)` returns or throws. */
export function serveOverIpc(ops: Ops): void {
  process.on('message', (request: { id: number; op: string; args: never[] }) => {
    const op = ops[request.op];
    Promise.resolve()
      .then(() => (op ? op(...request.args) : Promise.reject(new Error(`no op ${request.op}`))))
      .then(
        (value) => process.send?.({ id: request.id, ok: true, value }),
        (err: Error) => process.send?.({ id: request.id, ok: false, error: err.message }),
      );
  });
}

/** In the test: asks `node` to run `op` and resolves with its answer (rejects with its error). */
export function askOverIpc<T>(node: SpawnedNode, op: string, ...args: unknown[]): Promise<T> {
  const id = Math.random();
  return new Promise((resolve, reject) => {
    const stop = node.onMessage((raw) => {
      const reply = raw as { id: number; ok: boolean; value?: T; error?: string };
      if (reply.id !== id) return;
      stop();
      if (reply.ok) resolve(reply.value as T);
      else reject(new Error(reply.error));
    });
    node.send({ id, op, args });
  });
}
