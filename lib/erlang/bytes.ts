// The byte-level side of the external term format: big-endian fields written into
// a buffer that grows, and read from one with every length checked against what is
// left (so a length that lies is an error, not an allocation).
import { ErlangCodecError } from './etfTags.ts';

/** A growing byte buffer. */
export class Writer {
  private buf = Buffer.allocUnsafe(256);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    this.room(2);
    this.length = this.buf.writeUInt16BE(v, this.length);
  }
  u32(v: number): void {
    this.room(4);
    this.length = this.buf.writeUInt32BE(v, this.length);
  }
  i32(v: number): void {
    this.room(4);
    this.length = this.buf.writeInt32BE(v, this.length);
  }
  f64(v: number): void {
    this.room(8);
    this.length = this.buf.writeDoubleBE(v, this.length);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  utf8(text: string, byteLength: number): void {
    this.room(byteLength);
    this.length += this.buf.write(text, this.length, 'utf8');
  }
  /** A copy of what was written. */
  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
  /** What was written from `start` on, without copying (valid until the next write). */
  view(start: number): Buffer {
    return this.buf.subarray(start, this.length);
  }
}

/** Reads big-endian fields from `bytes`, from `pos` on; running out of bytes is a truncated term. */
export class Reader {
  readonly bytes: Buffer;
  pos: number;
  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }
  get left(): number {
    return this.bytes.length - this.pos;
  }
  need(n: number, what: string): void {
    if (n > this.left) throw new ErlangCodecError(`truncated term: ${what} needs ${n} bytes, ${this.left} left`);
  }
  u8(): number {
    this.need(1, 'a byte');
    return this.bytes[this.pos++]!;
  }
  u16(): number {
    this.need(2, 'a 16-bit field');
    const v = this.bytes.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4, 'a 32-bit field');
    const v = this.bytes.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4, 'a 32-bit integer');
    const v = this.bytes.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8, 'a float');
    const v = this.bytes.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  take(n: number, what: string): Buffer {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
