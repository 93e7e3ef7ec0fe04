// The net kernel of this node while it is alive (Node.start sets it, Node.stop
// clears it), for the modules that ask about the cluster without starting or
// stopping anything: GenServer's abcast and multiCall, NetKernel, the harness.
import type { NodeName } from '../terms.ts';
import { localNode } from '../localNode.ts';
import type { NetKernel } from './netKernel.ts';

let current: NetKernel | undefined;

export function setCurrentKernel(kernel: NetKernel | undefined): void {
  current = kernel;
}

/** The net kernel of a live node; undefined when not alive. */
export function currentKernel(): NetKernel | undefined {
  return current;
}

/** This node and every node it is connected to (Erlang's `[node() | nodes()]`). */
export function knownNodes(): NodeName[] {
  return [localNode.name, ...(current?.nodes() ?? [])];
}
