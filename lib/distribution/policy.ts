// How something beside the library steers this node's links without the library
// knowing about tests: the cluster harness (lib/cluster/linkPolicy.ts) refuses
// peers for partitions, decides the fate of each outgoing message for faults,
// and watches what arrives for traces. It plugs in here, once per node; the net
// kernel asks the policy installed at the moment, whichever kernel is running,
// so a node stopped and started again in the same process keeps it.
import type { NodeName } from '../terms.ts';
import type { Entry } from './entries.ts';

export interface LinkPolicy {
  /** False refuses a connection with `peer`, dialled or accepted (the peer is told it is partitioned). */
  allowConnection(peer: NodeName): boolean;
  /**
   * Sees each entry for `peer` before it is queued, decoded. `forward()` queues it as it was
   * when sent: call it once, never (dropped), twice (duplicated), or later (delayed).
   */
  outgoing(peer: NodeName, entry: Entry, forward: () => void): void;
  /** Sees each entry from `peer`, checked, just before it is delivered; it cannot change it. */
  incoming(peer: NodeName, entry: Entry): void;
}

let installed: LinkPolicy | undefined;

/** Installs the policy of this node's links (undefined: none, every link as it is). */
export function setLinkPolicy(policy: LinkPolicy | undefined): void {
  installed = policy;
}

/** The policy the net kernel asks, if one is installed. */
export function currentLinkPolicy(): LinkPolicy | undefined {
  return installed;
}
