// Erlang's `net_kernel` as far as the kit's users touch it: subscribing a process
// to `nodeup` / `nodedown` messages.
import { currentKernel } from './distribution/current.ts';
import { self } from './process/index.ts';
import type { Pid } from './terms.ts';
import type { Kernel } from './distribution/netKernel.ts';

export const NetKernel = {
  /**
   * With true, the calling process (or `pid`) receives `{type: 'nodeup', node}` and
   * `{type: 'nodedown', node}` for every node that connects or goes away; false stops it.
   */
  monitorNodes(on: boolean, pid: Pid = self()): true {
    const kernel: Kernel | undefined = currentKernel();
    if (!kernel) throw new Error('NetKernel.monitorNodes: this node is not alive; start it with Node.start first');
    kernel.monitorNodes(pid, on);
    return true;
  },
};
