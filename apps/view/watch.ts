// The live view's picture of a cluster, refreshed a few times a second: each
// node's status, its connections and the nodes it is cut off from, and the
// messages sent since the last look. It emits 'state' when the picture changes
// and 'messages' with each batch of (sampled) messages.
import { EventEmitter } from 'node:events';
import type { NodeName } from '../../lib/index.ts';
import type { ClusterAccess } from './clusterAccess.ts';
import type { SentMessage } from './nodeAgent.ts';

export type NodeStatus = 'up' | 'down' | 'unreachable';

export interface NodeView {
  readonly name: NodeName;
  readonly status: NodeStatus;
  readonly connected: NodeName[];
  readonly blocked: NodeName[];
  /** Kill -9 and restart are possible for this node (this process started it). */
  readonly owned: boolean;
}

export interface ViewState {
  readonly title: string;
  /** What is happening now, in words (a demo's current step). */
  readonly caption: string;
  readonly observer: NodeName;
  readonly nodes: NodeView[];
  /** Why kill and restart are not offered, if they are not. */
  readonly noLifecycle?: string;
}

export interface MessageBatch {
  readonly items: Array<SentMessage & { from: NodeName }>;
  /** Messages sent in this round that the picture leaves out. */
  readonly unsampled: number;
}

export interface ClusterWatchOptions {
  readonly title: string;
  /** Pause between two rounds of looks. */
  readonly intervalMs?: number;
}

export class ClusterWatch extends EventEmitter {
  private readonly access: ClusterAccess;
  private readonly intervalMs: number;
  private current: ViewState;
  private lastJson = '';
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(access: ClusterAccess, options: ClusterWatchOptions) {
    super();
    this.access = access;
    this.intervalMs = options.intervalMs ?? 150;
    this.current = { title: options.title, caption: '', observer: access.observer, nodes: [], ...(access.noLifecycle ? { noLifecycle: access.noLifecycle } : {}) };
  }

  state(): ViewState {
    return this.current;
  }

  /** Shows `caption` above the picture (a demo sets it to the step it is on). */
  setCaption(caption: string): void {
    this.publish({ ...this.current, caption });
  }

  /** Looks again now rather than at the next round (after a button did something). */
  refresh(): void {
    this.wake?.();
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        try {
          await this.round();
        } catch {
          // a round that failed as a whole (the port mapper went away, say): try again next round
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.intervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.access.release().catch(() => undefined);
  }

  private async round(): Promise<void> {
    const members = await this.access.members();
    const looks = await Promise.all(
      members.map(async (m) => {
        if (!m.running) return { name: m.name, status: 'down' as NodeStatus, look: undefined };
        try {
          return { name: m.name, status: 'up' as NodeStatus, look: await this.access.look(m.name) };
        } catch {
          return { name: m.name, status: 'unreachable' as NodeStatus, look: undefined };
        }
      }),
    );
    if (this.stopped) return;
    const nodes: NodeView[] = looks
      .map((l) => ({
        name: l.name,
        status: l.status,
        connected: l.look ? [...l.look.connected].sort() : [],
        blocked: l.look ? [...l.look.blocked].sort() : [],
        owned: this.access.lifecycle?.owns(l.name) ?? false,
      }))
      .sort((a, b) => naturalOrder(a.name, b.name));
    this.publish({ ...this.current, nodes });
    const items = looks.flatMap((l) => (l.look ? l.look.sent.map((s) => ({ ...s, from: l.name })) : []));
    const unsampled = looks.reduce((sum, l) => sum + (l.look ? l.look.unsampled : 0), 0);
    if (items.length > 0 || unsampled > 0) this.emit('messages', { items, unsampled } satisfies MessageBatch);
  }

  private publish(next: ViewState): void {
    this.current = next;
    const json = JSON.stringify(next);
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.emit('state', next);
  }
}

/** ping-pong2 before ping-pong10. */
const naturalOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
