// The net kernel: this node's table of connections to other nodes. It listens
// for peers, dials them (on `Node.connect` or on the first send to them), settles
// two nodes dialling each other at once, keeps the mesh full by telling each new
// peer whom else it knows, and turns connections coming and going into `nodeup`
// and `nodedown` for subscribers and `noconnection` for links and monitors.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeToString } from '../codec.ts';
import { EpmdClient } from '../epmd/client.ts';
import { localNode } from '../localNode.ts';
import { log } from '../logger.ts';
import { addressOf, isThisHost, parseNodeName } from '../nodeName.ts';
import { incoming, installRouter, putLocal, type RemoteSignal } from '../process/signals.ts';
import { pidKey } from '../process/table.ts';
import type { NodeName, Pid, Ref, RemoteName } from '../terms.ts';
import { Connection } from './connection.ts';
import { HandshakeError, HandshakeRefused, accept, initiate, type HandshakeOptions } from './handshake.ts';

export interface NetKernelOptions {
  readonly name: NodeName;
  readonly listenAddress: string;
  readonly cookie: string;
  readonly epmdPort: number;
  readonly tickTimeMs: number;
  readonly setupTimeMs: number;
  readonly maxFrameBytes: number;
}

/** What the harness can ask of the net kernel: refuse peers (partitions) and watch traffic (traces, faults). */
export interface DistHooks {
  /** Return false to refuse a connection with `peer`, dialled or accepted. */
  allowConnection?: (peer: NodeName) => boolean;
  /** Sees each outgoing entry before it is queued and decides what goes on: `forward` it (or not, or twice, or later). */
  outgoing?: (peer: NodeName, entryJson: string, forward: (entryJson: string) => void) => void;
  /** Sees each incoming entry, validated, just before it is delivered (for traces; it cannot change it). */
  incoming?: (peer: NodeName, entry: readonly unknown[]) => void;
}

interface Slot {
  readonly node: NodeName;
  connection: Connection | undefined;
  /** The handshake in progress, if any, and which side dialled. */
  attempt: { socket: WebSocket; dialled: boolean } | undefined;
  /** Entries sent before the connection was up, in order. */
  queue: string[];
  waiters: Array<(ok: boolean) => void>;
  deadline: NodeJS.Timeout | undefined;
}

/** The refusal a node gives a peer it is partitioned from; expected, so not logged as a problem. */
const PARTITIONED = 'connection not allowed (partitioned)';

/** Events: 'nodeup' (node), 'nodedown' (node, reason). */
export const distEvents = new EventEmitter();
distEvents.setMaxListeners(0);

const subscribers = new Map<string, Pid>();

export class NetKernel {
  readonly options: NetKernelOptions;
  readonly port: number;
  hooks: DistHooks = {};
  private cookie: string;
  private readonly server: WebSocketServer;
  private readonly epmd: EpmdClient;
  private readonly slots = new Map<NodeName, Slot>();
  private stopped = false;

  private constructor(options: NetKernelOptions, server: WebSocketServer, epmd: EpmdClient) {
    this.options = options;
    this.cookie = options.cookie;
    this.server = server;
    this.epmd = epmd;
    this.port = (server.address() as AddressInfo).port;
    server.on('connection', (socket, request) => this.accepted(socket, request.socket.remoteAddress ?? 'unknown'));
    epmd.onLost = () => {
      if (!this.stopped) log.warning('lost the port mapper: other nodes cannot find this one until it restarts');
    };
  }

  /** Listens on a free port, registers with the port mapper (starting one if needed), and routes remote signals. */
  static async start(options: NetKernelOptions): Promise<NetKernel> {
    const server = new WebSocketServer({
      host: options.listenAddress,
      port: 0,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('error', (err) => log.error(`listener error: ${err.message}`));
    let epmd: EpmdClient;
    try {
      epmd = await EpmdClient.connect(options.epmdPort, { autostart: true });
      await epmd.register(parseNodeName(options.name).alive, (server.address() as AddressInfo).port);
    } catch (err) {
      await new Promise((r) => server.close(r));
      throw new Error(`cannot start node ${options.name}: ${(err as Error).message}`);
    }
    const kernel = new NetKernel(options, server, epmd);
    installRouter({ route: (node, signal) => kernel.route(node, signal) });
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

  /** Connects to `node`; true once connected (at once if already), false if it cannot be. */
  connect(node: NodeName): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (node === this.options.name) return Promise.resolve(true);
    const slot = this.slotFor(node);
    if (!slot) return Promise.resolve(false);
    if (slot.connection) return Promise.resolve(true);
    return new Promise((resolve) => slot.waiters.push(resolve));
  }

  /** Closes the connection to `node`; true if there was one. */
  disconnect(node: NodeName): boolean {
    const slot = this.slots.get(node);
    if (!slot?.connection) return false;
    slot.connection.close('disconnected by Node.disconnect');
    return true;
  }

  /** Subscribes (or unsubscribes) a process to `nodeup`/`nodedown` messages. */
  monitorNodes(pid: Pid, on: boolean): void {
    if (on) subscribers.set(pidKey(pid), pid);
    else subscribers.delete(pidKey(pid));
  }

  /** Leaves the cluster: closes every connection, the listener and the port mapper registration. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    installRouter(undefined);
    for (const slot of [...this.slots.values()]) {
      if (slot.connection) slot.connection.close('node stopping');
      else this.fail(slot, 'node stopping');
    }
    for (const client of this.server.clients) client.terminate();
    await new Promise((r) => this.server.close(r));
    this.epmd.close();
  }

  // ---- sending

  route(node: NodeName, signal: RemoteSignal): void {
    const entry = encodeToString(toEntry(signal));
    const hook = this.hooks.outgoing;
    if (hook) hook(node, entry, (e) => this.enqueue(node, e));
    else this.enqueue(node, entry);
  }

  private enqueue(node: NodeName, entry: string): void {
    const existing = this.slots.get(node);
    if (existing?.connection) {
      existing.connection.enqueue(entry);
      return;
    }
    const slot = existing ?? this.slotFor(node);
    if (slot) slot.queue.push(entry);
    else queueMicrotask(() => incoming.nodeDown(node)); // unreachable: links and monitors see noconnection
  }

  // ---- the connection table

  private allowed(peer: NodeName): boolean {
    return this.hooks.allowConnection ? this.hooks.allowConnection(peer) : true;
  }

  /** The slot for `node`, dialling it if there is none; undefined if it may not be dialled. */
  private slotFor(node: NodeName): Slot | undefined {
    const existing = this.slots.get(node);
    if (existing) return existing;
    try {
      parseNodeName(node);
    } catch {
      return undefined;
    }
    if (this.stopped || !this.allowed(node)) return undefined;
    const slot: Slot = { node, connection: undefined, attempt: undefined, queue: [], waiters: [], deadline: undefined };
    this.slots.set(node, slot);
    slot.deadline = setTimeout(() => this.fail(slot, `no connection within ${this.options.setupTimeMs} ms`), this.options.setupTimeMs);
    void this.dial(slot);
    return slot;
  }

  private handshakeOptions(): HandshakeOptions {
    return { self: this.options.name, creation: localNode.creation, cookie: () => this.cookie, timeoutMs: this.options.setupTimeMs };
  }

  private async dial(slot: Slot): Promise<void> {
    const { alive, host } = parseNodeName(slot.node);
    let port: number | undefined;
    try {
      port = isThisHost(host)
        ? await this.epmd.lookup(alive)
        : await EpmdClient.ask(this.options.epmdPort, addressOf(host), (c) => c.lookup(alive));
    } catch (err) {
      this.fail(slot, (err as Error).message);
      return;
    }
    if (this.slots.get(slot.node) !== slot || slot.connection || slot.attempt) return; // settled meanwhile
    if (port === undefined) {
      this.fail(slot, `no node named ${alive} is registered on ${host}`);
      return;
    }
    const socket = new WebSocket(`ws://${addressOf(host)}:${port}/`, {
      maxPayload: this.options.maxFrameBytes,
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: this.options.setupTimeMs,
    });
    slot.attempt = { socket, dialled: true };
    socket.on('error', () => {}); // reported through the handshake or the connection
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
        socket.once('close', () => reject(new Error('closed before opening')));
      });
      const result = await initiate(socket, slot.node, this.handshakeOptions());
      if (slot.attempt?.socket !== socket) {
        socket.terminate(); // superseded by the peer's own dial
        return;
      }
      this.up(slot, socket, result.creation, result.leftovers);
    } catch (err) {
      socket.terminate();
      if (slot.attempt?.socket !== socket) return;
      slot.attempt = undefined;
      if (err instanceof HandshakeRefused && err.reason === 'simultaneous connect') {
        return; // the peer dials us too and its connection wins: wait for it
      }
      if (err instanceof HandshakeRefused && err.reason !== PARTITIONED) log.warning(`connection to ${slot.node} failed: ${err.message}`);
      this.fail(slot, (err as Error).message);
    }
  }

  private accepted(socket: WebSocket, remoteAddress: string): void {
    socket.on('error', () => {});
    let claimed: Slot | undefined;
    const decide = (peer: NodeName, _creation: number): string | undefined => {
      if (this.stopped) return 'node stopping';
      if (peer === this.options.name) return 'that is my own name';
      if (!this.allowed(peer)) return PARTITIONED;
      const slot = this.slots.get(peer);
      if (slot?.attempt && !slot.connection) {
        // Both nodes are dialling each other: the dial of the node with the smaller name wins.
        if (slot.attempt.dialled && peer > this.options.name) return 'simultaneous connect';
        if (!slot.attempt.dialled) slot.attempt.socket.terminate();
      }
      claimed = slot ?? this.newAcceptSlot(peer);
      claimed.attempt = { socket, dialled: false };
      return undefined;
    };
    accept(socket, remoteAddress, this.handshakeOptions(), decide).then(
      (result) => {
        const slot = claimed as Slot;
        if (slot.attempt?.socket !== socket || this.slots.get(slot.node) !== slot) {
          socket.terminate();
          return;
        }
        if (slot.connection) {
          // The peer dialled although we thought we were connected: our connection is stale.
          slot.connection.close(`${slot.node} reconnected`);
          const fresh = this.newAcceptSlot(slot.node);
          fresh.attempt = { socket, dialled: false };
          this.up(fresh, socket, result.creation, result.leftovers);
          return;
        }
        this.up(slot, socket, result.creation, result.leftovers);
      },
      (err: Error) => {
        socket.terminate();
        const quiet = err instanceof HandshakeRefused && (err.reason === 'simultaneous connect' || err.reason === 'node stopping' || err.reason === PARTITIONED);
        if (!quiet) log.warning(err instanceof HandshakeError ? err.message : `handshake with ${remoteAddress} failed: ${err.message}`);
        if (claimed && claimed.attempt?.socket === socket) {
          claimed.attempt = undefined;
          if (!claimed.connection && claimed.queue.length === 0 && claimed.waiters.length === 0) this.forget(claimed);
        }
      },
    );
  }

  private newAcceptSlot(peer: NodeName): Slot {
    const slot: Slot = { node: peer, connection: undefined, attempt: undefined, queue: [], waiters: [], deadline: undefined };
    this.slots.set(peer, slot);
    return slot;
  }

  private forget(slot: Slot): void {
    if (slot.deadline) clearTimeout(slot.deadline);
    if (this.slots.get(slot.node) === slot) this.slots.delete(slot.node);
  }

  private fail(slot: Slot, reason: string): void {
    if (slot.connection) return;
    slot.attempt?.socket.terminate();
    slot.attempt = undefined;
    this.forget(slot);
    const hadSignals = slot.queue.length > 0;
    slot.queue = [];
    for (const waiter of slot.waiters.splice(0)) waiter(false);
    log.debug(`could not connect to ${slot.node}: ${reason}`);
    if (hadSignals) incoming.nodeDown(slot.node);
  }

  private up(slot: Slot, socket: WebSocket, creation: number, leftovers: string[]): void {
    if (slot.deadline) clearTimeout(slot.deadline);
    slot.deadline = undefined;
    slot.attempt = undefined;
    const connection = new Connection(
      socket,
      slot.node,
      creation,
      {
        entry: (entry) => this.deliver(slot.node, entry),
        peers: (nodes) => {
          for (const node of nodes) if (node !== this.options.name && !this.slots.has(node)) void this.connect(node);
        },
        closed: (conn, reason) => this.down(slot, conn, reason),
      },
      { tickTimeMs: this.options.tickTimeMs },
      leftovers,
    );
    slot.connection = connection;
    for (const entry of slot.queue) connection.enqueue(entry);
    slot.queue = [];
    log.info(`connected to ${slot.node}`);
    distEvents.emit('nodeup', slot.node);
    for (const pid of subscribers.values()) putLocal(pid, { type: 'nodeup', node: slot.node });
    for (const waiter of slot.waiters.splice(0)) waiter(true);
    // Transitive connections: tell the newcomer every other node we know.
    connection.sendPeers(this.nodes().filter((n) => n !== slot.node));
    connection.start();
  }

  private down(slot: Slot, conn: Connection, reason: string): void {
    if (slot.connection !== conn) return;
    slot.connection = undefined;
    this.forget(slot);
    if (!this.stopped) log.info(`lost ${slot.node}: ${reason}`);
    if (reason.startsWith('malformed') || reason.includes('oversized') || reason.startsWith('no answer')) {
      log.warning(`closed the connection to ${slot.node}: ${reason}`);
    }
    incoming.nodeDown(slot.node);
    distEvents.emit('nodedown', slot.node, reason);
    for (const pid of subscribers.values()) putLocal(pid, { type: 'nodedown', node: slot.node });
  }

  // ---- receiving

  private deliver(from: NodeName, entry: readonly unknown[]): void {
    this.hooks.incoming?.(from, entry);
    switch (entry[0]) {
      case 's':
        incoming.send(entry[1] as number, entry[2] as number, entry[3]);
        return;
      case 'n':
        incoming.sendName(entry[1] as string, entry[2]);
        return;
      case 'l':
        if (checkSender(entry[1] as Pid, from)) incoming.link(entry[1] as Pid, entry[2] as Pid);
        return;
      case 'u':
        if (checkSender(entry[1] as Pid, from)) incoming.unlink(entry[1] as Pid, entry[2] as Pid);
        return;
      case 'x':
        if (checkSender(entry[1] as Pid, from)) incoming.exit(entry[1] as Pid, entry[2] as Pid, entry[3], entry[4] as boolean);
        return;
      case 'm':
        if (checkSender(entry[1] as Pid, from)) incoming.monitor(entry[1] as Pid, entry[2] as Pid | string, entry[3] as Ref);
        return;
      case 'dm':
        incoming.demonitor(entry[2] as Pid | string, entry[3] as Ref);
        return;
      case 'D':
        incoming.down(entry[1] as Pid, entry[2] as Ref, entry[3] as Pid | RemoteName, entry[4]);
        return;
    }
  }
}

/** A peer may only speak for its own processes. */
function checkSender(pid: Pid, from: NodeName): boolean {
  return pid.node === from;
}

function toEntry(signal: RemoteSignal): unknown[] {
  switch (signal.kind) {
    case 'send':
      return ['s', signal.to.id, signal.to.creation, signal.msg];
    case 'sendName':
      return ['n', signal.name, signal.msg];
    case 'link':
      return ['l', signal.from, signal.to];
    case 'unlink':
      return ['u', signal.from, signal.to];
    case 'exit':
      return ['x', signal.from, signal.to, signal.reason, signal.viaLink];
    case 'monitor':
      return ['m', signal.from, signal.to, signal.ref];
    case 'demonitor':
      return ['dm', signal.from, signal.to, signal.ref];
    case 'down':
      return ['D', signal.to, signal.ref, signal.object, signal.reason];
  }
}

export function forgetSubscribers(): void {
  subscribers.clear();
}
