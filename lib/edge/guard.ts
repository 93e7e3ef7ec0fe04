// The door of every listener the kit opens to the network (a node's
// distribution port, the port mapper, the storage). Each TCP connection is
// counted from the moment it arrives until it has proved itself (`settle`),
// and closed if it has not done so by its deadline. An unauthenticated client
// can cost a listener only a bounded number of sockets, bytes and timers,
// whatever it sends or leaves unsent.
//
// A full door turns away the oldest stranger, never the newcomer: when too
// many connections wait at once, in all or from one address, the one that has
// waited longest (from that address, or from anywhere) is closed to make room,
// one that has not even reached its next stage (the WebSocket upgrade) first.
// Refusing newcomers instead would let anyone who holds a few idle sockets
// (another user of the machine, from 127.0.0.1) lock out every node that comes
// to prove the cookie; a socket held idle is always older than the node that
// arrives after it. Whoever is closed is told why, when it still listens.
//
// What it cannot stop: a client that opens new connections as fast as its
// old ones are closed, each one upgraded, can still age a node's connection
// to the front of the line before its handshake is over. That is a flood of
// work, not a few held sockets, and on one machine it is no more than any local
// program can do to any other (take the CPU, say).
import type { Server, Socket } from 'node:net';

export interface GuardLimits {
  /** At most this many connections waiting to prove themselves at once. */
  readonly maxWaiting: number;
  /** And at most this many of them from one remote address. */
  readonly maxWaitingPerAddress: number;
  /**
   * A connection that has not proved itself (or reached its next stage) within this time is closed.
   * Without it, connections are only counted while they are open (an HTTP server, where nothing "proves").
   */
  readonly deadlineMs?: number;
  /** What a connection waits to do, for the words of a refusal: prove itself (WebSocket) or send a request (HTTP). Default proof. */
  readonly waitsFor?: 'proof' | 'request';
}

/** Why the guard closed a connection: to make room for a newer one, or at its deadline. */
export type GuardRefusal = 'too many waiting' | 'too many waiting from that address' | 'deadline';

const WORDS: Record<'proof' | 'request', Record<GuardRefusal, string>> = {
  proof: {
    'too many waiting': 'too many connections were waiting to prove themselves: the oldest was closed to make room',
    'too many waiting from that address': 'too many connections from that address were waiting to prove themselves: the oldest was closed to make room',
    deadline: 'it did not prove itself in time',
  },
  request: {
    'too many waiting': 'too many connections were waiting to send a request: the oldest was closed to make room',
    'too many waiting from that address': 'too many connections from that address were waiting to send a request: the oldest was closed to make room',
    deadline: 'it sent no request in time',
  },
};

/** Closes a connection the guard turns away, telling the client `words` if it can. */
export type TurnAway = (socket: Socket, words: string) => void;

/**
 * Answers a connection that has not sent a request (or not finished one) with an HTTP 503 saying
 * why, as JSON that the storage's client reads as an error and a person reads as text, then closes it.
 */
export function answerAndClose(socket: Socket, words: string, type: 'json' | 'text' = 'json'): void {
  const body = type === 'json' ? `${JSON.stringify({ ok: false, error: `turned away: ${words}` })}\n` : `turned away: ${words}\n`;
  const head = `HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: ${type === 'json' ? 'application/json' : 'text/plain'}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  closeAfter(socket, `${head}\r\n${body}`);
}

/** Writes `last`, then closes the socket for good once it is written: no request that arrives later is read. */
export function closeAfter(socket: Socket, last: string | Buffer): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.on('error', () => socket.destroy());
  socket.end(last, () => socket.destroy());
}

interface Waiting {
  readonly address: string;
  timer: NodeJS.Timeout | undefined;
  /** It reached its next stage (`extend`): an upgraded WebSocket, not just a socket. */
  progressed: boolean;
}

export class ConnectionGuard {
  private readonly limits: GuardLimits;
  /** Every waiting connection, oldest first (a Map keeps the order things were put in). */
  private readonly waiting = new Map<Socket, Waiting>();
  /** The same, by remote address, oldest first. */
  private readonly perAddress = new Map<string, Set<Socket>>();
  private readonly onRefuse: (reason: GuardRefusal, address: string, words: string) => void;
  private readonly turnAway: TurnAway;

  /**
   * Watches every connection `server` accepts; `onRefuse` hears of each one it closes, and why in
   * words. `turnAway` closes one, telling the client why (by default: an HTTP 503 for a listener whose
   * clients wait to send a request, a plain close for one whose clients wait to prove themselves).
   */
  constructor(server: Server, limits: GuardLimits, onRefuse: (reason: GuardRefusal, address: string, words: string) => void, turnAway?: TurnAway) {
    this.limits = limits;
    this.onRefuse = onRefuse;
    this.turnAway = turnAway ?? ((limits.waitsFor ?? 'proof') === 'request' ? answerAndClose : (socket) => socket.destroy());
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** How many connections are waiting to prove themselves now. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Whether `socket` is still waiting: false once it proved itself, or was turned away (then it must not be served). */
  isWaiting(socket: Socket): boolean {
    return this.waiting.has(socket);
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const fromThere = this.perAddress.get(address);
    // Room for the newcomer: the oldest from its address if that address is at its limit, else the oldest of all.
    if (fromThere && fromThere.size >= this.limits.maxWaitingPerAddress) {
      this.evict(this.oldest(fromThere), 'too many waiting from that address');
    } else if (this.waiting.size >= this.limits.maxWaiting) {
      this.evict(this.oldest(this.waiting.keys()), 'too many waiting');
    }
    const mine = this.perAddress.get(address) ?? new Set<Socket>();
    mine.add(socket);
    this.perAddress.set(address, mine);
    this.waiting.set(socket, { address, timer: this.deadline(socket, this.limits.deadlineMs), progressed: false });
    socket.once('close', () => this.forget(socket));
  }

  /** The oldest of `sockets` (oldest first) that has not reached its next stage, else the oldest of them. */
  private oldest(sockets: Iterable<Socket>): Socket | undefined {
    let first: Socket | undefined;
    for (const socket of sockets) {
      first ??= socket;
      if (this.waiting.get(socket)?.progressed === false) return socket;
    }
    return first;
  }

  private evict(oldest: Socket | undefined, reason: GuardRefusal): void {
    if (!oldest) return;
    const entry = this.waiting.get(oldest);
    this.forget(oldest);
    this.refuse(oldest, entry?.address ?? 'unknown', reason);
  }

  private deadline(socket: Socket, ms: number | undefined): NodeJS.Timeout | undefined {
    if (ms === undefined) return undefined;
    const timer = setTimeout(() => {
      const entry = this.waiting.get(socket);
      if (!entry) return;
      this.forget(socket);
      this.refuse(socket, entry.address, 'deadline');
    }, ms);
    timer.unref();
    return timer;
  }

  private refuse(socket: Socket, address: string, reason: GuardRefusal): void {
    const words = WORDS[this.limits.waitsFor ?? 'proof'][reason];
    try {
      this.turnAway(socket, words);
    } catch {
      socket.destroy();
    }
    this.onRefuse(reason, address, words);
  }

  /** The connection reached its next stage (an HTTP upgrade, say): it gets `ms` more to prove itself. */
  extend(socket: Socket, ms: number): void {
    const entry = this.waiting.get(socket);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = this.deadline(socket, ms);
    entry.progressed = true;
  }

  /** The connection proved itself: it no longer counts as waiting and has no deadline. */
  settle(socket: Socket): void {
    this.forget(socket);
  }

  private forget(socket: Socket): void {
    const entry = this.waiting.get(socket);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.waiting.delete(socket);
    const fromThere = this.perAddress.get(entry.address);
    fromThere?.delete(socket);
    if (fromThere?.size === 0) this.perAddress.delete(entry.address);
  }
}
