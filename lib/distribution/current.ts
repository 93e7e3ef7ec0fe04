// Whether this node is alive, held in one place: the net kernel while the node
// is distributed (Node.start makes it so, Node.stop ends it). Going alive or down
// also names the node (localNode) and routes its remote signals (process/signals.ts),
// in the same step, so that no part of the library can believe otherwise. The
// modules that ask about the cluster without starting or stopping anything
// (GenServer's abcast and multiCall, NetKernel, the harness) read it here.
import { installRouter } from '../process/signals.ts';
import { NO_NODE, type NodeName } from '../terms.ts';
import { localNode } from '../localNode.ts';
import type { Kernel } from './netKernel.ts';

let current: Kernel | undefined;

/** Makes `kernel` this node's distribution, under its name; undefined: the node is not alive any more. */
export function setCurrentKernel(kernel: Kernel | undefined): void {
  current = kernel;
  localNode.setName(kernel ? kernel.options.name : NO_NODE);
  installRouter(kernel);
}

/** The net kernel of a live node; undefined when not alive. */
export function currentKernel(): Kernel | undefined {
  return current;
}

/** This node and every node it is connected to (Erlang's `[node() | nodes()]`). */
export function knownNodes(): NodeName[] {
  return [localNode.name, ...(current?.nodes() ?? [])];
}
