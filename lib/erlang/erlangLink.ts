// One connection between this node and another that speaks Erlang's distribution
// (an `erl` or `iex` node, or a kit node in Erlang mode): the TCP socket after the
// handshake, with 4-byte-length frames, ticks, and control messages both ways.
// It knows nothing of processes: a net kernel drives it, sending `Control`s and
// taking the ones that arrive ('control' events, or `for await` over `controls()`),
// and learns from 'close' when and why the connection ended (a closed socket at
// once; a silent peer within the tick time).
//
//   const link = await ErlangLink.connect('ben@host', { name: 'chris@host', cookie, creation });
//   link.on('control', (c) => ...);
//   link.send({ op: 'regSend', from: me, to: 'echo', message: tuple(atom('hello'), me) });
import { EventEmitter } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { addressOf } from '../nodeName.ts';
import { ControlError, decodeFrame, encodeFrame, type Control } from './control.ts';
import { lookupNode } from './epmdClient.ts';
import { erlangEpmdPort } from './epmdProtocol.ts';
import { kitFlags } from './flags.ts';
import { acceptHandshake, dialHandshake, HandshakeError, type AcceptHandshakeOptions, type Handshaken } from './handshake.ts';
import type { NodeHello, Status } from './handshakeMessages.ts';
import { PacketError, PacketReader } from './packets.ts';
import { Ticker } from './ticker.ts';

export interface ErlangLinkOptions {
  /** This node's full name, `name@host`. */
  name: string;
  cookie: string;
  /** This node's incarnation, the creation its pids and refs carry (localNode.creation for a kit node). */
  creation: number;
  /** Whether Erlang sees this node in nodes() (PUBLISHED); see README.md, "Visible or hidden". Default false. */
  visible?: boolean;
  /** A peer silent this long is down. Default 60 000 ms, Erlang's net_ticktime. */
  tickTimeMs?: number;
  /** How long the handshake may take. Default 7000 ms, Erlang's net_setuptime. */
  handshakeTimeoutMs?: number;
  /** The longest frame taken from the peer. Default 128 MiB. */
  maxFrameBytes?: number;
}

export interface ConnectOptions extends ErlangLinkOptions {
  /** Where the peer's port mapper is. Default: the peer's host, port ERL_EPMD_PORT or 4369. */
  epmd?: { host?: string; port?: number };
  /** The peer's distribution port, if known (skips the port mapper). */
  port?: number;
  /** The peer says it still has a connection to this node (status alive): true if this node has none (that one is stale), so the handshake goes on. Default: false. */
  onAlive?: () => boolean;
  /** Aborting it gives the attempt up, wherever it is: the socket closes. */
  signal?: AbortSignal;
}

export interface AcceptOptions extends ErlangLinkOptions {
  /** Whether to go on with a node that says hello (a net kernel answers nok for a simultaneous connect it wins, not_allowed for a partition). */
  admit?: (peer: NodeHello) => Status | Promise<Status>;
  /** The peer proved the cookie: throw to end the handshake before this side's challenge_ack (see handshake.ts). */
  proven?: (peer: NodeHello) => void;
}

/** Why a link ended, as data: the socket closed or failed, the peer fell silent, it sent what the kit cannot read, or this node closed it. */
export type LinkEnd =
  | { readonly kind: 'closed' }
  | { readonly kind: 'error' }
  | { readonly kind: 'silent'; readonly ms: number }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'local' };

export type LinkEvents = {
  control: [control: Control];
  /** Why, in words, and as data. */
  close: [reason: string, end: LinkEnd];
};

const DEFAULT_MAX_FRAME = 128 * 1024 * 1024;
const TICK = Buffer.alloc(4);

export class ErlangLink extends EventEmitter<LinkEvents> {
  /** The peer: its name, flags and creation. */
  readonly peer: NodeHello;
  /** The flags both sides have, which decide the control variants sent. */
  readonly flags: bigint;
  /** Counts, for tests and traces. */
  readonly stats = { framesIn: 0, framesOut: 0, ticksIn: 0, ticksOut: 0 };
  private readonly socket: Socket;
  private readonly reader: PacketReader;
  private readonly ticker: Ticker;
  private closeReason: string | undefined;

  private constructor(socket: Socket, done: Handshaken, tickTimeMs: number) {
    super();
    this.socket = socket;
    this.peer = done.peer;
    this.flags = done.flags;
    this.reader = done.reader;
    this.ticker = new Ticker(tickTimeMs, {
      tick: () => this.write(TICK, true),
      timeout: (ms) => this.fail(`no tick or message from ${this.peer.name} for ${ms} ms (the tick time)`, { kind: 'silent', ms }),
    });
    socket.on('data', (chunk: Buffer) => {
      this.ticker.received(); // any byte proves the peer alive, as Erlang counts bytes read
      this.reader.push(chunk);
      this.drain();
    });
    socket.on('error', (err) => this.fail(`connection error: ${err.message}`, { kind: 'error' }));
    socket.on('close', () => this.fail('the connection closed', { kind: 'closed' }));
    // Frames wait in the reader until someone listens (some may have come with the end of the handshake).
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'control') setImmediate(() => this.drain());
    });
  }

  /** Dials `peer` (`name@host`): asks its host's port mapper for its port unless given, connects, and does the handshake. */
  static async connect(peer: string, options: ConnectOptions): Promise<ErlangLink> {
    const [alive, host] = peer.split('@');
    if (!alive || !host) throw new HandshakeError(`${JSON.stringify(peer)} is not a node name (name@host)`);
    const address = addressOf(host).replace(/^\[|\]$/g, '');
    let port = options.port;
    if (port === undefined) {
      const epmd = { host: options.epmd?.host ?? address, port: options.epmd?.port ?? erlangEpmdPort() };
      const info = await lookupNode(epmd, alive);
      if (!info) throw new HandshakeError(`no node ${alive} is registered with the port mapper on ${epmd.host}:${epmd.port}`);
      port = info.port;
    }
    if (options.signal?.aborted) throw new HandshakeError('abandoned');
    const socket = await openSocket(address, port, options.handshakeTimeoutMs ?? 7_000);
    const abandon = () => socket.destroy();
    options.signal?.addEventListener('abort', abandon);
    try {
      if (options.signal?.aborted) throw new HandshakeError('abandoned');
      const done = await dialHandshake(
        socket,
        { ...handshakeOptions(options), peer, ...(options.onAlive ? { onAlive: options.onAlive } : {}) },
        options.maxFrameBytes ?? DEFAULT_MAX_FRAME,
      );
      if (options.signal?.aborted) throw new HandshakeError('abandoned');
      return new ErlangLink(socket, done, options.tickTimeMs ?? 60_000);
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', abandon);
    }
  }

  /** The handshake on a socket a peer connected; resolves once the peer proved the cookie. */
  static async accept(socket: Socket, options: AcceptOptions): Promise<ErlangLink> {
    socket.setNoDelay(true);
    const accept: AcceptHandshakeOptions = {
      ...handshakeOptions(options),
      ...(options.admit ? { admit: options.admit } : {}),
      ...(options.proven ? { proven: options.proven } : {}),
    };
    const done = await acceptHandshake(socket, accept, options.maxFrameBytes ?? DEFAULT_MAX_FRAME);
    return new ErlangLink(socket, done, options.tickTimeMs ?? 60_000);
  }

  /** Whether the connection has ended. */
  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Why it ended, once it has. */
  get reason(): string | undefined {
    return this.closeReason;
  }

  /**
   * Sends one operation. Throws (ErlangCodecError, ControlError) before anything is
   * written if a term has no Erlang form; returns false if the link is closed.
   */
  send(control: Control): boolean {
    const frame = encodeFrame(control, this.flags);
    if (this.closed) return false;
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(frame.length, 0);
    this.write(Buffer.concat([head, frame]), false);
    this.stats.framesOut++;
    return true;
  }

  /** Ends the connection; the peer sees it closed (and its monitors and links fire noconnection). */
  close(reason = 'closed by this node'): void {
    if (this.closed) return;
    this.finish(reason, { kind: 'local' });
    this.socket.end();
    this.socket.destroySoon();
  }

  /** The control messages as they arrive, until the connection ends. */
  async *controls(): AsyncGenerator<Control> {
    const queue: Control[] = [];
    let wake: (() => void) | undefined;
    const onControl = (c: Control) => {
      queue.push(c);
      wake?.();
    };
    const onClose = () => wake?.();
    this.on('control', onControl);
    this.on('close', onClose);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (this.closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.off('control', onControl);
      this.off('close', onClose);
    }
  }

  private write(bytes: Buffer, isTick: boolean): void {
    if (this.closed) return;
    this.socket.write(bytes);
    this.ticker.sent();
    if (isTick) this.stats.ticksOut++;
  }

  private drain(): void {
    while (!this.closed && this.listenerCount('control') > 0) {
      let frame: Buffer | undefined;
      try {
        frame = this.reader.next();
      } catch (err) {
        this.fail(`bad frame from ${this.peer.name}: ${(err as PacketError).message}`, { kind: 'malformed' });
        return;
      }
      if (!frame) return;
      if (frame.length === 0) {
        this.stats.ticksIn++;
        continue;
      }
      let control: Control;
      try {
        control = decodeFrame(frame);
      } catch (err) {
        // Erlang drops a connection that sends what it cannot read; so does the kit, saying why.
        this.fail(`bad frame from ${this.peer.name}: ${(err as ControlError).message}`, { kind: 'malformed' });
        return;
      }
      this.stats.framesIn++;
      this.emit('control', control);
    }
  }

  private fail(reason: string, end: LinkEnd): void {
    if (this.closed) return;
    this.finish(reason, end);
    this.socket.destroy();
  }

  private finish(reason: string, end: LinkEnd): void {
    this.closeReason = reason;
    this.ticker.stop();
    this.emit('close', reason, end);
  }
}

function handshakeOptions(options: ErlangLinkOptions) {
  return {
    name: options.name,
    cookie: options.cookie,
    creation: options.creation,
    flags: kitFlags(options.visible ?? false),
    timeoutMs: options.handshakeTimeoutMs ?? 7_000,
  };
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port, noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(new HandshakeError(`cannot connect to ${host}:${port}: ${err.message}`));
    };
    socket.once('error', onError);
  });
}
