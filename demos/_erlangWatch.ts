// What the erlang demo's kit nodes run for it (not a demo: its name starts with _):
// a process that monitors a process of another node and keeps the DOWN it gets, and
// one that subscribes to nodeup/nodedown and keeps them, as words the demo prints.
import { NetKernel, Process, formatReason, isDown, receive, sameRef, spawn, type DownMessage, type NodeMessage } from '../lib/index.ts';

const downs: string[] = [];
const nodeEvents: string[] = [];

/** Monitors `name` on `node` from a process of this node; its DOWN goes into `downs()`. */
export function watch(name: string, node: string): string {
  spawn(async () => {
    const ref = Process.monitor({ name, node });
    const down = await receive((m): m is DownMessage => isDown(m) && sameRef(m.ref, ref));
    downs.push(`DOWN ${name} on ${node}: ${formatReason(down.reason)}`);
  });
  return `watching ${name} on ${node}`;
}

export function seenDowns(): string[] {
  return downs;
}

/** Subscribes a process of this node to nodeup/nodedown; they go into `seenNodeEvents()`. */
export function watchNodes(): true {
  spawn(async () => {
    NetKernel.monitorNodes(true);
    for (;;) {
      const event = await receive((m): m is NodeMessage => (m as NodeMessage)?.type === 'nodeup' || (m as NodeMessage)?.type === 'nodedown');
      nodeEvents.push(`${event.type} ${event.node}`);
    }
  });
  return true;
}

export function seenNodeEvents(): string[] {
  return nodeEvents;
}
