// The door of every listener the kit opens to the network (a node's
// distribution port, the port mapper, the storage). Each TCP connection is
// counted from the moment it arrives until it has proved itself (`settle`),
// and closed if it has not done so by its deadline. Too many connections
// waiting at once, in all or from one address, are refused at the door: an
// unauthenticated client can cost a listener only a bounded number of sockets,
// bytes and timers, whatever it sends or leaves unsent.
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

/** Why the guard closed a connection: at the door, or at its deadline. */
export type GuardRefusal = 'too many waiting' | 'too many waiting from that address' | 'deadline';

const WORDS: Record<'proof' | 'request', Record<GuardRefusal, string>> = {
  proof: {
    'too many waiting': 'too many connections are waiting to prove themselves',
    'too many waiting from that address': 'too many connections from that address are waiting to prove themselves',
    deadline: 'it did not prove itself in time',
  },
  request: {
    'too many waiting': 'too many connections are waiting to send a request',
    'too many waiting from that address': 'too many connections from that address are waiting to send a request',
    deadline: 'it sent no request in time',
  },
};

interface Waiting {
  readonly address: string;
  timer: NodeJS.Timeout | undefined;
}

export class ConnectionGuard {
  private readonly limits: GuardLimits;
  private readonly waiting = new Map<Socket, Waiting>();
  private readonly perAddress = new Map<string, number>();
  private readonly onRefuse: (reason: GuardRefusal, address: string, words: string) => void;

  /** Watches every connection `server` accepts; `onRefuse` hears of each one it closes, and why in words. */
  constructor(server: Server, limits: GuardLimits, onRefuse: (reason: GuardRefusal, address: string, words: string) => void) {
    this.limits = limits;
    this.onRefuse = onRefuse;
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** How many connections are waiting to prove themselves now. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const fromThere = this.perAddress.get(address) ?? 0;
    const refusal: GuardRefusal | undefined =
      this.waiting.size >= this.limits.maxWaiting ? 'too many waiting'
      : fromThere >= this.limits.maxWaitingPerAddress ? 'too many waiting from that address'
      : undefined;
    if (refusal) {
      socket.destroy();
      this.refused(refusal, address);
      return;
    }
    this.perAddress.set(address, fromThere + 1);
    this.waiting.set(socket, { address, timer: this.deadline(socket, address, this.limits.deadlineMs) });
    socket.once('close', () => this.forget(socket));
  }

  private deadline(socket: Socket, address: string, ms: number | undefined): NodeJS.Timeout | undefined {
    if (ms === undefined) return undefined;
    const timer = setTimeout(() => {
      if (!this.waiting.has(socket)) return;
      socket.destroy();
      this.refused('deadline', address);
    }, ms);
    timer.unref();
    return timer;
  }

  private refused(reason: GuardRefusal, address: string): void {
    this.onRefuse(reason, address, WORDS[this.limits.waitsFor ?? 'proof'][reason]);
  }

  /** The connection reached its next stage (an HTTP upgrade, say): it gets `ms` more to prove itself. */
  extend(socket: Socket, ms: number): void {
    const entry = this.waiting.get(socket);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = this.deadline(socket, entry.address, ms);
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
    const left = (this.perAddress.get(entry.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(entry.address, left);
    else this.perAddress.delete(entry.address);
  }
}
