// What the harness does to this node's links, in one place: the nodes it is
// partitioned from, the faults on its outgoing messages, and its trace. It
// plugs into the net kernel as the node's LinkPolicy (distribution/policy.ts),
// so the library itself has no notion of tests.
import { currentKernel } from '../distribution/current.ts';
import { isMessage, type Entry } from '../distribution/entries.ts';
import { distEvents } from '../distribution/nodeEvents.ts';
import { setLinkPolicy, type LinkPolicy as KernelLinkPolicy } from '../distribution/policy.ts';
import { localNode } from '../localNode.ts';
import type { NodeName } from '../terms.ts';
import { FaultPlan, type FaultConfig } from './faults.ts';
import { TraceRecorder, messageFields, type TraceEvent } from './trace.ts';

interface Held {
  readonly at: number;
  readonly release: () => void;
}

class LinkPolicy implements KernelLinkPolicy {
  private readonly blocked = new Set<NodeName>();
  private faults: FaultPlan | undefined;
  private trace: TraceRecorder | undefined;
  private untrace: (() => void) | undefined;
  /** Per link, the messages held back, in order: later ones wait behind a delayed one, so a link never reorders. */
  private readonly held = new Map<NodeName, Held[]>();

  /** The live node's kernel, with this policy installed on its links (once: it outlives a restart of the node). */
  private kernel() {
    const kernel = currentKernel();
    if (!kernel) throw new Error('the cluster harness needs a live node: start it with Node.start first');
    setLinkPolicy(this);
    return kernel;
  }

  allowConnection(peer: NodeName): boolean {
    return !this.blocked.has(peer);
  }

  /** Cuts this node off from `nodes`: existing connections close, new ones are refused both ways. */
  block(nodes: NodeName[]): void {
    const kernel = this.kernel();
    for (const node of nodes) this.blocked.add(node);
    this.trace?.record('partition', { detail: { from: nodes } });
    for (const node of nodes) kernel.disconnect(node);
  }

  /** Lets `nodes` back in (it does not connect: the caller decides when). */
  unblock(nodes: NodeName[]): void {
    this.kernel();
    for (const node of nodes) this.blocked.delete(node);
    this.trace?.record('heal', { detail: { with: nodes } });
  }

  blockedNodes(): NodeName[] {
    return [...this.blocked];
  }

  setFaults(config: FaultConfig | undefined): void {
    this.kernel();
    this.faults = config ? new FaultPlan(config) : undefined;
  }

  startTrace(): void {
    this.kernel();
    if (this.trace) return;
    const trace = new TraceRecorder();
    this.trace = trace;
    const up = (node: NodeName) => this.trace === trace && trace.record('nodeup', { peer: node });
    const down = (node: NodeName, reason: string) => this.trace === trace && trace.record('nodedown', { peer: node, detail: reason });
    distEvents.on('nodeup', up);
    distEvents.on('nodedown', down);
    this.untrace = () => {
      distEvents.off('nodeup', up);
      distEvents.off('nodedown', down);
    };
  }

  /** Whether this node records a trace now. */
  tracing(): boolean {
    return this.trace !== undefined;
  }

  /** Stops recording and forgets what was recorded (the live view, when it lets go of a node). */
  stopTrace(): void {
    this.untrace?.();
    this.untrace = undefined;
    this.trace = undefined;
  }

  takeTrace(): TraceEvent[] {
    return this.trace?.take() ?? [];
  }

  /** Only messages meet faults: links, monitors and exits travel as reliably as over one TCP connection. */
  outgoing(peer: NodeName, entry: Entry, forward: () => void): void {
    const trace = this.trace;
    const message = isMessage(entry);
    const link = `${localNode.name}->${peer}`;
    const note = (kind: 'send' | 'drop' | 'duplicate' | 'delay', detail?: unknown) =>
      trace?.record(kind, { peer, link, ...messageFields(entry), ...(detail !== undefined ? { detail } : {}) });
    // A message for a node across a cut goes nowhere (the kernel may not connect to it): it is dropped,
    // and the trace says so. It still goes through the kernel, which treats it as any unreachable send.
    if (message && this.blocked.has(peer)) {
      note('drop', { reason: 'partitioned' });
      this.forwardInOrder(peer, forward);
      return;
    }
    const plan = this.faults;
    if (!message || !plan || !plan.covers(localNode.name, peer)) {
      if (message) note('send');
      this.forwardInOrder(peer, forward);
      return;
    }
    const fate = plan.next(localNode.name, peer);
    switch (fate.kind) {
      case 'drop':
        note('drop');
        return;
      case 'duplicate':
        note('duplicate');
        this.forwardInOrder(peer, forward);
        this.forwardInOrder(peer, forward);
        return;
      case 'delay':
        note('delay', { ms: fate.ms });
        this.hold(peer, fate.ms, forward);
        return;
      default:
        note('send');
        this.forwardInOrder(peer, forward);
    }
  }

  /** Sends at once, unless an earlier message on the link is held back: then behind it. */
  private forwardInOrder(peer: NodeName, forward: () => void): void {
    if (this.held.has(peer)) this.hold(peer, 0, forward);
    else forward();
  }

  /** Queues a release on the link's FIFO; releases go out in order, each no earlier than its time. */
  private hold(peer: NodeName, ms: number, release: () => void): void {
    let queue = this.held.get(peer);
    if (!queue) {
      queue = [];
      this.held.set(peer, queue);
    }
    queue.push({ at: Date.now() + ms, release });
    if (queue.length === 1) this.pump(peer);
  }

  private pump(peer: NodeName): void {
    const queue = this.held.get(peer);
    if (!queue) return;
    while (queue.length > 0 && (queue[0] as Held).at <= Date.now()) (queue.shift() as Held).release();
    if (queue.length === 0) {
      this.held.delete(peer);
      return;
    }
    setTimeout(() => this.pump(peer), (queue[0] as Held).at - Date.now());
  }

  incoming(peer: NodeName, entry: Entry): void {
    const trace = this.trace;
    if (!trace || !isMessage(entry)) return;
    trace.record('deliver', { peer, link: `${peer}->${localNode.name}`, ...messageFields(entry) });
  }
}

export const linkPolicy = new LinkPolicy();
