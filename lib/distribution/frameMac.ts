// Every frame two nodes exchange after the handshake carries a MAC: an
// HMAC-SHA256 of the frame under the sender's session key (cookie.ts,
// sessionKeys: only cookie holders can derive it from the handshake) and of the
// frame's number on that connection. The number is never sent: each side
// counts the frames it sent and received, so a frame that was added, dropped,
// replayed or moved fails its check as surely as one that was changed. So a
// program that relays the connection (it passed a genuine handshake through)
// can read the frames and can cut the connection, but cannot write into it.
//
// The tag is the first TAG_CHARS characters of the frame's text (base64url),
// the frame itself follows. One HMAC per frame, however many entries a batch
// holds; no extra round trip.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The length of a tag: 32 bytes of HMAC-SHA256, in base64url without padding. */
export const TAG_CHARS = 43;

function tag(key: KeyObject, sequence: Buffer, body: string | Buffer): string {
  return createHmac('sha256', key).update(sequence).update(body).digest('base64url');
}

/** The frame's number on its connection, as 8 bytes (big-endian): the MAC covers it. */
class Counter {
  private next = 0;
  private readonly bytes = Buffer.alloc(8);
  take(): Buffer {
    const n = this.next++;
    this.bytes.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 0);
    this.bytes.writeUInt32BE(n >>> 0, 4);
    return this.bytes;
  }
}

/** The sending side: tags each outgoing frame, in the order they are sent. */
export class FrameSealer {
  private readonly key: KeyObject;
  private readonly counter = new Counter();
  constructor(key: Buffer) {
    // A key object is made once: each HMAC then skips taking the key in again.
    this.key = createSecretKey(key);
  }

  /** The frame's text with its tag in front; frames must be sent in the order they were sealed. */
  seal(text: string): string {
    return tag(this.key, this.counter.take(), text) + text;
  }
}

/** The receiving side: checks each incoming frame's tag, in the order they arrive. */
export class FrameOpener {
  private readonly key: KeyObject;
  private readonly counter = new Counter();
  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  /** How many frames passed the check so far. */
  get opened(): number {
    return this.count;
  }
  private count = 0;

  /** The frame's bytes without their tag, or undefined if the tag is wrong (the connection must then close). */
  open(frame: Buffer): Buffer | undefined {
    if (frame.length < TAG_CHARS) return undefined;
    const body = frame.subarray(TAG_CHARS);
    const expected = Buffer.from(tag(this.key, this.counter.take(), body), 'latin1');
    if (!timingSafeEqual(expected, frame.subarray(0, TAG_CHARS))) return undefined;
    this.count++;
    return body;
  }
}
