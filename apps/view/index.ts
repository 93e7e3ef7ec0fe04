// The live view of a cluster in the browser: `openView` watches the cluster
// through `access`, serves the page on 127.0.0.1 and hands back its address.
import { clusterActions } from './actions.ts';
import { localClusterAccess, type ClusterAccess } from './clusterAccess.ts';
import { startViewServer } from './server.ts';
import { ClusterWatch } from './watch.ts';

export { localClusterAccess, type ClusterAccess } from './clusterAccess.ts';
export { attachedAccess } from './attach.ts';
export type { ViewState, NodeView } from './watch.ts';

export interface LiveView {
  /** The page's address, token included. */
  readonly url: string;
  /** Shows `caption` above the picture (what the demo is doing now). */
  caption(text: string): void;
  /** Stops the view; `farewell` is what its open pages keep saying ("The demo has ended…"). */
  close(farewell?: string): Promise<void>;
}

export interface OpenViewOptions {
  /** Whose nodes to show; default: this process's LocalCluster. */
  readonly access?: ClusterAccess;
  readonly title?: string;
  /** 0 (default): a free port. */
  readonly port?: number;
  readonly onRefused?: (why: string) => void;
}

export async function openView(options: OpenViewOptions = {}): Promise<LiveView> {
  const access = options.access ?? localClusterAccess();
  const watch = new ClusterWatch(access, { title: options.title ?? 'distsys cluster' });
  const server = await startViewServer({
    watch,
    actions: clusterActions(access),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.onRefused ? { onRefused: options.onRefused } : {}),
  });
  return {
    url: server.url,
    caption: (text) => watch.setCaption(text),
    close: (farewell) => server.close(farewell),
  };
}
