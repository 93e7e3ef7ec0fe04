// One established connection to a peer node. Everything between the two nodes
// goes over it in order: outgoing entries are coalesced into batch frames (all
// sends made in one turn of the event loop travel together), ticks prove the
// peer is alive, and every incoming frame is validated before it is acted on.
// Every frame, both ways, carries a MAC under the connection's session keys
// (frameMac.ts): a frame that fails its check closes the connection, logged.
import type { WebSocket, RawData } from 'ws';
import type { NodeName } from '../terms.ts';
import { ChunkError, Reassembly, sendChunked } from './chunks.ts';
import type { CloseReason } from './closeReason.ts';
import type { Entry } from './entries.ts';
import { canWait, readEntry, type EncodedEntry } from './entryCodec.ts';
import { FrameOpener, FrameSealer } from './frameMac.ts';
import { WS_TOO_BIG, type RawFrame } from './frameQueue.ts';
import { distFrame, isDistFrame } from './frames.ts';
import type { ConnectionHandlers, Outgoing, PeerConnection } from './transport.ts';

/** At most this many entries in one batch frame, so one frame never grows without bound. */
const MAX_BATCH_ENTRIES = 2048;
/** And at most about this many bytes of entries. */
const MAX_BATCH_BYTES = 1 << 20;

export interface ConnectionOptions {
  readonly tickTimeMs: number;
  /** The largest frame (after joining its chunks) the peer may send. */
  readonly maxFrameBytes: number;
  /** The session keys the handshake derived: for the frames this node sends, and for those it receives. */
  readonly keys: { readonly send: Buffer; readonly receive: Buffer };
}

export class Connection implements PeerConnection {
  readonly protocol = 'kit';
  readonly peer: NodeName;
  readonly peerCreation: number;
  private readonly socket: WebSocket;
  private readonly handlers: ConnectionHandlers;
  private outbox: EncodedEntry[] = [];
  private outboxBytes = 0;
  private flushScheduled = false;
  private lateFlushScheduled = false;
  private lastReceived = Date.now();
  private tickTimer: NodeJS.Timeout;
  private lastCheck = Date.now();
  private open = true;

  constructor(socket: WebSocket, peer: NodeName, peerCreation: number, handlers: ConnectionHandlers, options: ConnectionOptions, leftovers: RawFrame[]) {
    this.socket = socket;
    this.peer = peer;
    this.peerCreation = peerCreation;
    this.handlers = handlers;
    this.chunks = new Reassembly(options.maxFrameBytes);
    this.sealer = new FrameSealer(options.keys.send);
    this.opener = new FrameOpener(options.keys.receive);
    socket.on('message', (data: RawData, isBinary: boolean) => this.frame(data as Buffer, isBinary));
    socket.on('close', (code: number, reason: Buffer) => this.shut({ kind: 'closed', code, text: reason.toString() }));
    socket.on('error', (err: Error & { code?: string }) =>
      this.shut(err.code === WS_TOO_BIG ? { kind: 'oversized', detail: '' } : { kind: 'socket error', message: err.message }),
    );
    // Ticks: say something every quarter of the tick time; a peer silent for the whole tick time is down.
    const interval = Math.max(10, Math.floor(options.tickTimeMs / 4));
    this.tickTimer = setInterval(() => this.tick(interval, options.tickTimeMs), interval);
    this.tickTimer.unref();
    this.pendingLeftovers = leftovers;
  }

  private pendingLeftovers: RawFrame[];
  private readonly chunks: Reassembly;
  private readonly sealer: FrameSealer;
  private readonly opener: FrameOpener;

  /** Reads the frames that arrived before the connection existed; call once the node has recorded it. */
  start(): void {
    const frames = this.pendingLeftovers;
    this.pendingLeftovers = [];
    for (const f of frames) this.frame(f.data, f.isBinary);
    // The handshake stopped reading while frames waited for it; read on.
    if (this.open) this.socket.resume();
  }

  get isOpen(): boolean {
    return this.open;
  }

  /**
   * Queues one entry (entryCodec's encoding: the kit transport's); the batch leaves once the
   * code running now and the promise callbacks it set off are done (a microtask), so that every
   * send of one turn travels in one frame. An entry that can wait (a demonitor: canWait) leaves
   * with the next batch, or at the latest in the check phase of this turn of the event loop
   * (setImmediate), before it sleeps.
   */
  send(out: Outgoing): void {
    if (!this.open) return;
    const entry = out as unknown as EncodedEntry;
    this.outbox.push(entry);
    this.outboxBytes += entry.length;
    if (this.outbox.length >= MAX_BATCH_ENTRIES || this.outboxBytes >= MAX_BATCH_BYTES) {
      this.flush();
      return;
    }
    if (this.flushScheduled) return;
    if (canWait(entry)) {
      if (!this.lateFlushScheduled) {
        this.lateFlushScheduled = true;
        setImmediate(this.lateFlush);
      }
      return;
    }
    this.flushScheduled = true;
    queueMicrotask(this.scheduledFlush);
  }

  private readonly scheduledFlush = () => this.flush();
  private readonly lateFlush = () => {
    this.lateFlushScheduled = false;
    this.flush();
  };

  sendPeers(nodes: string[]): void {
    this.flush();
    this.raw(JSON.stringify({ t: 'peers', nodes }));
  }

  /** Closes the connection; the peer sees it at once and so does this node. */
  close(reason: CloseReason): void {
    if (!this.open) return;
    this.flush();
    this.socket.close(reason.kind === 'oversized' ? 1009 : reason.kind === 'malformed' || reason.kind === 'forged' ? 1008 : 1000, reason.kind === 'local' ? reason.why.slice(0, 100) : reason.kind);
    this.shut(reason);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.length === 0) return;
    const entries = this.outbox;
    this.outbox = [];
    this.outboxBytes = 0;
    this.raw(`{"t":"b","e":[${entries.join(',')}]}`);
  }

  private raw(text: string): void {
    if (this.open && this.socket.readyState === this.socket.OPEN) sendChunked(this.sealer.seal(text), (data, binary) => this.socket.send(data, { binary }));
  }

  private tick(interval: number, tickTimeMs: number): void {
    const now = Date.now();
    const late = now - this.lastCheck > interval * 2;
    this.lastCheck = now;
    // If this node's own event loop was stalled, silence proves nothing about the peer: judge next time.
    if (!late && now - this.lastReceived >= tickTimeMs) {
      this.socket.terminate();
      this.shut({ kind: 'silent', ms: now - this.lastReceived, tickTimeMs });
      return;
    }
    this.flush();
    this.raw('{"t":"tick"}');
  }

  private shut(reason: CloseReason): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.tickTimer);
    if (this.socket.readyState !== this.socket.CLOSED) this.socket.terminate();
    this.handlers.closed(this, reason);
  }

  private malformed(detail: string): void {
    this.close({ kind: 'malformed', detail });
  }

  /** One WebSocket frame: a whole text frame, or a chunk of a large one. */
  private frame(data: Buffer, isBinary: boolean): void {
    if (!this.open) return;
    if (!isBinary) {
      if (this.chunks.inProgress) this.malformed('a text frame in the middle of a chunked one');
      else this.receive(data);
      return;
    }
    let whole: Buffer | undefined;
    try {
      whole = this.chunks.push(data);
    } catch (err) {
      if (err instanceof ChunkError && err.kind === 'oversized') this.close({ kind: 'oversized', detail: err.message });
      else this.malformed((err as Error).message);
      return;
    }
    if (whole !== undefined) this.receive(whole);
  }

  /** Handles one incoming frame: its MAC first, then its text. */
  private receive(bytes: Buffer): void {
    if (!this.open) return;
    const body = this.opener.open(bytes);
    if (body === undefined) {
      this.close({ kind: 'forged', frame: this.opener.opened + 1 });
      return;
    }
    // Only a frame that passed its check proves the peer alive: a relay's bytes do not.
    this.lastReceived = Date.now();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      this.malformed('not JSON');
      return;
    }
    if (!isDistFrame(json)) {
      // A refused frame is rare: zod, the schema's author, words why.
      this.malformed(distFrame.safeParse(json).error?.issues[0]?.message ?? 'unknown frame');
      return;
    }
    const frame = json;
    if (frame.t === 'tick') return;
    if (frame.t === 'peers') {
      this.handlers.peers(frame.nodes);
      return;
    }
    for (const raw of frame.e) {
      if (!this.open) return;
      let entry: Entry;
      try {
        entry = readEntry(raw);
      } catch (err) {
        this.malformed((err as Error).message);
        return;
      }
      try {
        this.handlers.entry(entry);
      } catch {
        // Delivery must never take the node down; a broken entry is dropped.
      }
    }
  }
}
