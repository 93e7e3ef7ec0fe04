// The functions the manager calls on each cluster node (through rpc) to steer
// its links: partition and heal, faults, traces. Each one acts on this node only.
import { Node } from '../node.ts';
import type { NodeName } from '../terms.ts';
import type { FaultConfig } from './faults.ts';
import { linkPolicy } from './linkPolicy.ts';
import type { TraceEvent } from './trace.ts';

export const AGENT = import.meta.url;

export function block(nodes: NodeName[]): true {
  linkPolicy.block(nodes);
  return true;
}

export function unblock(nodes: NodeName[]): true {
  linkPolicy.unblock(nodes);
  return true;
}

export function blocked(): NodeName[] {
  return linkPolicy.blockedNodes();
}

export function setFaults(config: FaultConfig | null): true {
  linkPolicy.setFaults(config ?? undefined);
  return true;
}

export function startTrace(): true {
  linkPolicy.startTrace();
  return true;
}

export function takeTrace(): TraceEvent[] {
  return linkPolicy.takeTrace();
}

export function nodes(): NodeName[] {
  return Node.list();
}

export function connect(node: NodeName): Promise<boolean> {
  return Node.connect(node);
}
