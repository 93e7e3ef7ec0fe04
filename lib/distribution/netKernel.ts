// The net kernel: this node's table of connections to other nodes. It listens
// for peers, dials them (on `Node.connect` or on the first send to them), settles
// two nodes dialling each other at once, keeps the mesh full by telling each new
// peer whom else it knows, and turns connections coming and going into `nodeup`
// and `nodedown` for subscribers and `noconnection` for links and monitors.
//
// A peer's entry in the table (its slot) is created by this node's own wish to
// reach it (a dial, with a deadline) or by a peer that has proved it knows the
// cookie; never by what an unauthenticated client claims. Every wait is
// bounded: a ping or connect settles within the setup time whatever anybody
// else sends.
//
// It does all that whichever protocol the node speaks: a transport (transport.ts)
// reaches the peers and carries the entries, the kit's own (kitTransport.ts) or
// Erlang's distribution (erlang/transport.ts, `Node.start(..., { dist: 'erlang' })`),
// and the harness's link policy (partitions, faults, traces) sees every entry here,
// the same for both.
//
// Longer than most files of lib/ on purpose: it is one concern, the connection
// table, and every path into it (a dial, an accepted peer, two nodes dialling
// each other, a stale connection, a failure, a stop) must keep the same few
// invariants, which are easiest to check when they sit side by side. Its
// neighbours hold the rest: the transports (dialling, handshakes, connections),
// entries.ts (what travels), policy.ts (what the harness may steer), nodeEvents.ts.
import { throttled } from '../edge/throttle.ts';
import { localNode } from '../localNode.ts';
import { log } from '../logger.ts';
import { parseNodeName } from '../nodeName.ts';
import { incoming } from '../process/signals.ts';
import type { NodeName, Pid } from '../terms.ts';
import { describeClose, isTrouble, type CloseReason } from './closeReason.ts';
import { deliver, type Entry } from './entries.ts';
import { startKitTransport } from './kitTransport.ts';
import { announceDown, announceUp, monitorNodes } from './nodeEvents.ts';
import { currentLinkPolicy } from './policy.ts';
import { HandshakeError, HandshakeRefused, REFUSALS, type Decision, type Refusal } from './refusals.ts';
import type { Attempt, Established, Incoming, Outgoing, PeerConnection, Protocol, Standing, Transport } from './transport.ts';

export interface KernelOptions {
  readonly name: NodeName;
  /** Which protocol the node speaks with every peer: the kit's own (default) or Erlang's distribution. */
  readonly dist: Protocol;
  readonly listenAddress: string;
  /** Addresses the port mapper must listen on too, so other hosts find this node. */
  readonly exposed: string[];
  readonly cookie: string;
  /** The port mapper's port: the kit's, or EPMD's in Erlang mode. */
  readonly epmdPort: number;
  readonly tickTimeMs: number;
  readonly setupTimeMs: number;
  readonly maxFrameBytes: number;
}

interface Slot {
  readonly node: NodeName;
  connection: PeerConnection | undefined;
  /** This node dialling the peer, if it is: from the port mapper lookup to the end of the handshake. */
  dial: Attempt | undefined;
  /** A connection the peer dialled, authenticated and taken, until it is up. */
  accepting: Attempt | undefined;
  /** Entries sent before the connection was up, in order. */
  queue: Outgoing[];
  waiters: Array<(ok: boolean) => void>;
  /** Set while somebody waits for the connection: when it fires, they hear it failed. */
  deadline: NodeJS.Timeout | undefined;
}

/** Refusals that are part of normal life (a partition, a node stopping, two nodes dialling at once), logged at info only. */
const QUIET = new Set<Refusal | undefined>(['partitioned', 'stopping', 'simultaneous', 'alreadyConnected']);

/**
 * The net kernel (Erlang's net_kernel as far as connections go). Not the `NetKernel` of the
 * library's API (netKernelApi.ts), which is what users call: `NetKernel.monitorNodes`.
 */
export class Kernel {
  readonly options: KernelOptions;
  readonly port: number;
  /** The protocol this node speaks with its peers. */
  readonly protocol: Protocol;
  private cookie: string;
  private readonly transport: Transport;
  private readonly slots = new Map<NodeName, Slot>();
  private stopped = false;
  private readonly warn = throttled((m) => log.warning(m));

  private constructor(options: KernelOptions, transport: Transport) {
    this.options = options;
    this.cookie = options.cookie;
    this.transport = transport;
    this.port = transport.port;
    this.protocol = transport.protocol;
  }

  /** Listens on a free port and registers with the port mapper (starting one if needed); current.ts makes it the node's. */
  static async start(options: KernelOptions): Promise<Kernel> {
    let kernel: Kernel | undefined;
    // A node of the kit's own protocol never loads Erlang's.
    const start = options.dist === 'erlang' ? (await import('../erlang/transport.ts')).startErlangTransport : startKitTransport;
    const transport = await start({
      name: options.name,
      listenAddress: options.listenAddress,
      exposed: options.exposed,
      cookie: () => kernel?.cookie ?? options.cookie,
      creation: localNode.creation,
      epmdPort: options.epmdPort,
      tickTimeMs: options.tickTimeMs,
      setupTimeMs: options.setupTimeMs,
      maxFrameBytes: options.maxFrameBytes,
      incoming: (attempt) => (kernel ? kernel.accepted(attempt) : attempt.abandon()),
    });
    kernel = new Kernel(options, transport);
    return kernel;
  }

  getCookie(): string {
    return this.cookie;
  }

  setCookie(cookie: string): void {
    this.cookie = cookie;
  }

  /** The nodes this one is connected to, in the order they came up. */
  nodes(): NodeName[] {
    const up: NodeName[] = [];
    for (const slot of this.slots.values()) if (slot.connection?.isOpen) up.push(slot.node);
    return up;
  }

  isConnected(node: NodeName): boolean {
    return this.slots.get(node)?.connection?.isOpen === true;
  }

  /** Connects to `node`; true once connected (at once if already), false if it cannot be, within the setup time. */
  connect(node: NodeName): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (node === this.options.name) return Promise.resolve(true);
    if (this.isConnected(node)) return Promise.resolve(true);
    const slot = this.want(node);
    if (!slot) return Promise.resolve(false);
    return new Promise((resolve) => slot.waiters.push(resolve));
  }

  /** Closes the connection to `node`; true if there was one. `why` is for the log. */
  disconnect(node: NodeName, why = 'disconnected by Node.disconnect'): boolean {
    const slot = this.slots.get(node);
    if (!slot?.connection) return false;
    slot.connection.close({ kind: 'local', why });
    return true;
  }

  /** Subscribes (or unsubscribes) a process to `nodeup`/`nodedown` messages. */
  monitorNodes(pid: Pid, on: boolean): void {
    monitorNodes(pid, on);
  }

  /** Leaves the cluster: closes every connection, the listener and the port mapper registration. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const slot of [...this.slots.values()]) {
      if (slot.connection) slot.connection.close({ kind: 'local', why: REFUSALS.stopping });
      else this.fail(slot, REFUSALS.stopping);
      slot.accepting?.abandon();
    }
    await this.transport.stop();
  }

  // ---- sending

  /** Sends `entry` to `node`, connecting first if needed; encodes it at once, so what cannot cross throws here. */
  route(node: NodeName, entry: Entry): void {
    const encoded = this.transport.encode(entry);
    const policy = currentLinkPolicy();
    if (policy) policy.outgoing(node, entry, () => this.enqueue(node, encoded));
    else this.enqueue(node, encoded);
  }

  private enqueue(node: NodeName, entry: Outgoing): void {
    const existing = this.slots.get(node);
    if (existing?.connection) {
      existing.connection.send(entry);
      return;
    }
    const slot = this.want(node);
    if (slot) slot.queue.push(entry);
    else queueMicrotask(() => incoming.nodeDown(node)); // unreachable: links and monitors see noconnection
  }

  // ---- the connection table

  private allowed(peer: NodeName): boolean {
    return currentLinkPolicy()?.allowConnection(peer) ?? true;
  }

  /**
   * The slot of a node somebody here wants to reach: with a deadline, and a dial under way
   * unless a connection is already being set up. Undefined if it may not be dialled.
   */
  private want(node: NodeName): Slot | undefined {
    let slot = this.slots.get(node);
    if (!slot) {
      try {
        parseNodeName(node);
      } catch {
        return undefined;
      }
      if (this.stopped || !this.allowed(node)) return undefined;
      slot = this.newSlot(node);
    }
    if (slot.connection) return slot;
    const s = slot;
    s.deadline ??= setTimeout(() => this.fail(s, `no connection within the setup time (${this.options.setupTimeMs} ms)`), this.options.setupTimeMs);
    if (!s.dial && !s.accepting) void this.dial(s);
    return s;
  }

  private newSlot(node: NodeName): Slot {
    const slot: Slot = { node, connection: undefined, dial: undefined, accepting: undefined, queue: [], waiters: [], deadline: undefined };
    this.slots.set(node, slot);
    return slot;
  }

  private async dial(slot: Slot): Promise<void> {
    if (this.stopped) return;
    const attempt = this.transport.dial(slot.node, (peer) => this.isConnected(peer));
    slot.dial = attempt;
    try {
      const established = await attempt.done;
      if (slot.dial !== attempt || slot.connection) throw new HandshakeError('abandoned');
      slot.dial = undefined;
      this.up(slot, established);
    } catch (err) {
      attempt.abandon();
      if (slot.dial !== attempt) return; // abandoned meanwhile
      slot.dial = undefined;
      const refusal = err instanceof HandshakeRefused ? err.code : undefined;
      // The peer dials us too and its connection wins: wait for it (the deadline bounds the wait).
      if (refusal === 'simultaneous') return;
      if (slot.connection) return;
      this.dialFailed(slot, (err as Error).message, refusal);
    }
  }

  /** Our dial failed: the slot fails, unless a connection the peer dialled may still bring it up. */
  private dialFailed(slot: Slot, reason: string, refusal?: Refusal): void {
    slot.dial = undefined;
    if (!slot.accepting) this.fail(slot, reason, refusal);
  }

  private accepted(attempt: Incoming): void {
    attempt
      .accept({
        admit: (peer) => (this.stopped ? 'stopping' : this.allowed(peer) ? undefined : 'partitioned'),
        standing: (peer) => this.standing(peer),
        decide: (peer, creation) => this.decide(peer, creation, attempt),
      })
      .then(
        (established) => {
          const slot = this.slots.get(established.peer);
          if (!slot || slot.accepting !== attempt || this.stopped) {
            attempt.abandon();
            return;
          }
          attempt.settle();
          // A connection we still hold is stale: the peer restarted, or confirmed it has none.
          if (slot.connection) slot.connection.close({ kind: 'local', why: `${slot.node} reconnected` });
          slot.accepting = undefined;
          if (slot.dial) this.abandonDial(slot);
          this.up(slot, established);
        },
        (err: Error) => {
          attempt.abandon();
          if (this.stopped) return;
          const quiet = err instanceof HandshakeRefused && QUIET.has(err.code);
          if (quiet) log.info(err.message);
          else {
            const message = err instanceof HandshakeRefused ? err.message : `handshake with ${attempt.from} failed: ${err.message}`;
            this.warn(`${attempt.from} ${err.message.slice(0, 60)}`, message);
          }
          for (const slot of this.slots.values()) {
            if (slot.accepting !== attempt) continue;
            slot.accepting = undefined;
            if (slot.connection) continue;
            if (slot.waiters.length > 0 || slot.queue.length > 0) {
              if (!slot.dial) void this.dial(slot);
            } else if (!slot.dial) this.forget(slot);
          }
        },
      );
  }

  /** What this node has with `peer` now (Erlang's handshake tells a peer before it proves the cookie). */
  private standing(peer: NodeName): Standing {
    const slot = this.slots.get(peer);
    if (!slot) return 'none';
    if (slot.connection?.isOpen) return 'connected';
    if (slot.accepting) return 'accepting';
    return slot.dial ? 'dialling' : 'none';
  }

  /** A peer proved it has the cookie: take its connection, or say why not. */
  private decide(peer: NodeName, creation: number, attempt: Incoming): Decision {
    if (this.stopped) return { refuse: 'stopping' };
    if (!this.allowed(peer)) return { refuse: 'partitioned' };
    const slot = this.slots.get(peer) ?? this.newSlot(peer);
    if (slot.accepting) return { refuse: 'settingUp' };
    if (slot.connection) {
      slot.accepting = attempt;
      // Another incarnation: the old connection is surely stale. The same one: let the peer confirm.
      return slot.connection.peerCreation === creation ? { accept: true, replace: true } : { accept: true };
    }
    if (slot.dial) {
      // Both nodes are dialling each other: one connection wins, by the protocol's rule.
      if (this.transport.ourDialWins(peer)) return { refuse: 'simultaneous' };
      this.abandonDial(slot);
    }
    slot.accepting = attempt;
    return { accept: true };
  }

  private abandonDial(slot: Slot): void {
    slot.dial?.abandon();
    slot.dial = undefined;
  }

  private forget(slot: Slot): void {
    if (slot.deadline) clearTimeout(slot.deadline);
    slot.deadline = undefined;
    if (this.slots.get(slot.node) === slot) this.slots.delete(slot.node);
  }

  /**
   * Nobody will connect to the slot's node now: waiters hear false, queued signals turn into
   * noconnection. `refusal` is the peer's, if it refused the handshake.
   */
  private fail(slot: Slot, reason: string, refusal?: Refusal): void {
    if (slot.connection) return;
    if (slot.deadline) clearTimeout(slot.deadline);
    slot.deadline = undefined;
    this.abandonDial(slot);
    if (!slot.accepting) this.forget(slot);
    const hadSignals = slot.queue.length > 0;
    const waited = slot.waiters.length > 0;
    slot.queue = [];
    for (const waiter of slot.waiters.splice(0)) waiter(false);
    if (this.stopped) return;
    if (refusal === 'partitioned') log.info(`could not connect to ${slot.node}: ${reason}`);
    else if (waited || hadSignals) this.warn(`${slot.node} ${reason}`, `could not connect to ${slot.node}: ${reason}`);
    if (hadSignals) incoming.nodeDown(slot.node);
  }

  private up(slot: Slot, established: Established): void {
    if (slot.deadline) clearTimeout(slot.deadline);
    slot.deadline = undefined;
    const connection = established.open({
      entry: (entry) => {
        currentLinkPolicy()?.incoming(slot.node, entry);
        deliver(slot.node, entry);
      },
      peers: (nodes) => {
        for (const node of nodes) if (node !== this.options.name && !this.slots.has(node)) void this.connect(node);
      },
      closed: (conn, reason) => this.down(slot, conn, reason),
    });
    slot.connection = connection;
    for (const entry of slot.queue) connection.send(entry);
    slot.queue = [];
    log.info(`connected to ${slot.node}${connection.protocol === 'erlang' ? " (Erlang's distribution)" : ''}`);
    announceUp(slot.node);
    for (const waiter of slot.waiters.splice(0)) waiter(true);
    // Transitive connections: tell the newcomer every other node we know.
    connection.sendPeers(this.nodes().filter((n) => n !== slot.node));
    connection.start();
  }

  private down(slot: Slot, conn: PeerConnection, reason: CloseReason): void {
    if (slot.connection !== conn) return;
    slot.connection = undefined;
    if (!slot.dial && !slot.accepting && slot.waiters.length === 0 && slot.queue.length === 0) this.forget(slot);
    const words = describeClose(reason, slot.node);
    if (isTrouble(reason)) log.warning(`closed the connection to ${slot.node}: ${words}`);
    else if (!this.stopped) log.info(`lost ${slot.node}: ${words}`);
    announceDown(slot.node, words);
  }
}
