// Length-prefixed packets over a TCP stream, as gen_tcp's {packet, 2} and
// {packet, 4}: the handshake uses a 2-byte length, the connection after it a 4-byte
// one (a packet of length 0 is a tick). The header size can change between two
// packets, since bytes of the first 4-byte packets may arrive with the last
// handshake message.

export class PacketError extends Error {
  override name = 'PacketError';
}

export class PacketReader {
  headerSize: 2 | 4;
  /** The longest packet accepted; a longer one is an error (a confused or hostile peer). */
  maxSize: number;
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(headerSize: 2 | 4, maxSize: number) {
    this.headerSize = headerSize;
    this.maxSize = maxSize;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole packet (without its header), or undefined until one has arrived; throws PacketError if it is too long. */
  next(): Buffer | undefined {
    if (this.buffered < this.headerSize) return undefined;
    const head = this.peek(this.headerSize);
    const size = this.headerSize === 2 ? head.readUInt16BE(0) : head.readUInt32BE(0);
    if (size > this.maxSize) throw new PacketError(`a packet of ${size} bytes is over the ${this.maxSize}-byte limit`);
    if (this.buffered < this.headerSize + size) return undefined;
    const all = this.peek(this.headerSize + size);
    this.consume(this.headerSize + size);
    return all.subarray(this.headerSize);
  }

  /** Bytes received and not yet handed out. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private consume(n: number): void {
    const first = this.chunks[0]!;
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
  }
}

/** `payload` with its length in front, in a `headerSize`-byte field. */
export function packet(headerSize: 2 | 4, payload: Uint8Array): Buffer {
  const limit = headerSize === 2 ? 0xffff : 0xffffffff;
  if (payload.length > limit) throw new PacketError(`a packet of ${payload.length} bytes does not fit a ${headerSize}-byte length`);
  const out = Buffer.allocUnsafe(headerSize + payload.length);
  if (headerSize === 2) out.writeUInt16BE(payload.length, 0);
  else out.writeUInt32BE(payload.length, 0);
  out.set(payload, headerSize);
  return out;
}
