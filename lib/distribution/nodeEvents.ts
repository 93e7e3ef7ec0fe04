// Nodes coming and going, told to whoever listens: processes that called
// `NetKernel.monitorNodes(true)` get `{ type: 'nodeup' | 'nodedown', node }`,
// links and monitors towards a lost node fire with `noconnection`, and the
// harness (traces) hears of them through `distEvents`.
import { EventEmitter } from 'node:events';
import { incoming, putLocal } from '../process/signals.ts';
import { pidKey } from '../process/table.ts';
import type { NodeName, Pid } from '../terms.ts';

/** Events: 'nodeup' (node), 'nodedown' (node, reason in words). */
export const distEvents = new EventEmitter();
distEvents.setMaxListeners(0);

const subscribers = new Map<string, Pid>();

/** Subscribes (or unsubscribes) a local process to `nodeup`/`nodedown` messages. */
export function monitorNodes(pid: Pid, on: boolean): void {
  if (on) subscribers.set(pidKey(pid), pid);
  else subscribers.delete(pidKey(pid));
}

export function announceUp(node: NodeName): void {
  distEvents.emit('nodeup', node);
  for (const pid of subscribers.values()) putLocal(pid, { type: 'nodeup', node });
}

export function announceDown(node: NodeName, reason: string): void {
  incoming.nodeDown(node);
  distEvents.emit('nodedown', node, reason);
  for (const pid of subscribers.values()) putLocal(pid, { type: 'nodedown', node });
}
