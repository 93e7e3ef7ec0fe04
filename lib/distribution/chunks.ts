// After the handshake, a frame larger than MAX_WIRE_FRAME_BYTES crosses as a
// run of binary WebSocket frames: a flag byte (1: more follow, 0: the last)
// and a slice of the frame's UTF-8 bytes. The receiver joins them back into the
// frame's bytes, up to the node's maxFrameBytes (and checks its MAC: frameMac.ts). This keeps every WebSocket frame
// small, so nobody can make a node buffer much before it has authenticated,
// while authenticated peers may still send large messages.
import { MAX_WIRE_FRAME_BYTES } from './frames.ts';

const MORE = 1;
const LAST = 0;
const SLICE = MAX_WIRE_FRAME_BYTES - 1;

/** Sends `text` as one text frame if it fits, else as chunks; `send` writes one WebSocket frame. */
export function sendChunked(text: string, send: (data: string | Buffer, binary: boolean) => void): void {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short texts need no byte count.
  if (text.length * 3 <= MAX_WIRE_FRAME_BYTES) {
    send(text, false);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_WIRE_FRAME_BYTES) {
    send(text, false);
    return;
  }
  for (let at = 0; at < bytes.length; at += SLICE) {
    const end = Math.min(at + SLICE, bytes.length);
    const chunk = Buffer.allocUnsafe(1 + end - at);
    chunk[0] = end < bytes.length ? MORE : LAST;
    bytes.copy(chunk, 1, at, end);
    send(chunk, true);
  }
}

/** Joins chunks back into frames; throws a ChunkError for a bad chunk or a frame over the limit. */
export class Reassembly {
  private parts: Buffer[] = [];
  private size = 0;
  private readonly maxBytes: number;
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get inProgress(): boolean {
    return this.parts.length > 0;
  }

  /** Adds one chunk; returns the whole frame's bytes after the last one. */
  push(chunk: Buffer): Buffer | undefined {
    const flag = chunk[0];
    if (chunk.length < 2 || (flag !== MORE && flag !== LAST)) throw new ChunkError('malformed', 'a binary frame that is not a chunk');
    this.size += chunk.length - 1;
    if (this.size > this.maxBytes) throw new ChunkError('oversized', `a frame of more than ${this.maxBytes} bytes`);
    this.parts.push(chunk.subarray(1));
    if (flag === MORE) return undefined;
    const frame = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return frame;
  }
}

export class ChunkError extends Error {
  override name = 'ChunkError';
  readonly kind: 'malformed' | 'oversized';
  constructor(kind: 'malformed' | 'oversized', message: string) {
    super(message);
    this.kind = kind;
  }
}
