// The messages of Erlang's distribution handshake, version 6 (OTP 23 and later;
// the documentation's "Distribution Handshake"), each the body of a 2-byte-length
// packet. Pure encoding and decoding; the order they come in is handshake.ts's.
import { createHash, timingSafeEqual } from 'node:crypto';

export class HandshakeError extends Error {
  override name = 'HandshakeError';
  /** The status the peer answered, when that is why (nok, not_allowed, alive, ...). */
  readonly status: string | undefined;
  constructor(message: string, status?: string) {
    super(message);
    this.status = status;
  }
}

/** A node's side of the handshake: its flags, incarnation and full name. */
export interface NodeHello {
  flags: bigint;
  creation: number;
  name: string;
}

function nameBytes(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length === 0 || bytes.length > 0xffff) throw new HandshakeError(`a node name of ${bytes.length} bytes`);
  return bytes;
}

function readName(body: Buffer, at: number): string {
  if (body.length < at + 2) throw new HandshakeError('the node name is missing');
  const size = body.readUInt16BE(at);
  if (size === 0 || body.length < at + 2 + size) throw new HandshakeError('the node name is empty or truncated');
  // Any extra data after the name must be accepted and ignored (the documentation says so).
  const name = body.subarray(at + 2, at + 2 + size).toString('utf8');
  if (!/^[^@\s]+@[^@\s]+$/.test(name)) throw new HandshakeError(`${JSON.stringify(name.slice(0, 80))} is not a node name (name@host)`);
  return name;
}

/** send_name, new format ('N'): what the dialling node says first. */
export function sendName(hello: NodeHello): Buffer {
  const name = nameBytes(hello.name);
  const out = Buffer.alloc(1 + 8 + 4 + 2 + name.length);
  out.write('N', 0, 'latin1');
  out.writeBigUInt64BE(hello.flags, 1);
  out.writeUInt32BE(hello.creation >>> 0, 9);
  out.writeUInt16BE(name.length, 13);
  name.copy(out, 15);
  return out;
}

/** A received send_name: the new format, or the old one ('n', version 5) that OTP 23 and 24 send when they did not ask epmd first. */
export function readSendName(body: Buffer): NodeHello & { old: boolean } {
  if (body[0] === 0x4e /* N */) {
    if (body.length < 15) throw new HandshakeError('send_name is truncated');
    return { flags: body.readBigUInt64BE(1), creation: body.readUInt32BE(9), name: readName(body, 13), old: false };
  }
  if (body[0] === 0x6e /* n */) {
    if (body.length < 8) throw new HandshakeError('send_name (version 5) is truncated');
    const version = body.readUInt16BE(1);
    if (version !== 5) throw new HandshakeError(`send_name with version ${version}`);
    const name = body.subarray(7).toString('utf8');
    if (!/^[^@\s]+@[^@\s]+$/.test(name)) throw new HandshakeError(`${JSON.stringify(name.slice(0, 80))} is not a node name (name@host)`);
    return { flags: BigInt(body.readUInt32BE(3)), creation: 0, name, old: true };
  }
  throw new HandshakeError(`expected send_name, got a message starting with byte ${body[0]}`);
}

/** The status the accepting node answers send_name with. */
export type Status = 'ok' | 'ok_simultaneous' | 'nok' | 'not_allowed' | 'alive';

export function sendStatus(status: Status | 'true' | 'false'): Buffer {
  return Buffer.from(`s${status}`, 'latin1');
}

export function readStatus(body: Buffer): string {
  if (body[0] !== 0x73 /* s */) throw new HandshakeError(`expected a status, got a message starting with byte ${body[0]}`);
  return body.subarray(1).toString('latin1');
}

/** send_challenge ('N'): the accepting node's flags, challenge, creation and name. */
export function sendChallenge(hello: NodeHello, challenge: number): Buffer {
  const name = nameBytes(hello.name);
  const out = Buffer.alloc(1 + 8 + 4 + 4 + 2 + name.length);
  out.write('N', 0, 'latin1');
  out.writeBigUInt64BE(hello.flags, 1);
  out.writeUInt32BE(challenge >>> 0, 9);
  out.writeUInt32BE(hello.creation >>> 0, 13);
  out.writeUInt16BE(name.length, 17);
  name.copy(out, 19);
  return out;
}

export function readChallenge(body: Buffer): NodeHello & { challenge: number } {
  if (body[0] !== 0x4e /* N */ || body.length < 19) throw new HandshakeError('expected a version 6 challenge');
  return { flags: body.readBigUInt64BE(1), challenge: body.readUInt32BE(9), creation: body.readUInt32BE(13), name: readName(body, 17) };
}

/** send_complement ('c'): only after an old send_name, the high flags and the creation it lacked. */
export function readComplement(body: Buffer): { flagsHigh: bigint; creation: number } {
  if (body[0] !== 0x63 /* c */ || body.length < 9) throw new HandshakeError('expected send_complement');
  return { flagsHigh: BigInt(body.readUInt32BE(1)) << 32n, creation: body.readUInt32BE(5) };
}

/** The 16-byte digest that proves the cookie: MD5 of the cookie followed by the challenge in decimal. */
export function digest(challenge: number, cookie: string): Buffer {
  return createHash('md5').update(Buffer.from(cookie, 'latin1')).update(String(challenge >>> 0), 'latin1').digest();
}

export function digestMatches(expected: Buffer, received: Buffer): boolean {
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** send_challenge_reply ('r'): the dialling node's own challenge and its digest of the acceptor's. */
export function sendChallengeReply(challenge: number, answer: Buffer): Buffer {
  const out = Buffer.alloc(21);
  out.write('r', 0, 'latin1');
  out.writeUInt32BE(challenge >>> 0, 1);
  answer.copy(out, 5);
  return out;
}

export function readChallengeReply(body: Buffer): { challenge: number; digest: Buffer } {
  if (body[0] !== 0x72 /* r */ || body.length !== 21) throw new HandshakeError('expected challenge_reply');
  return { challenge: body.readUInt32BE(1), digest: body.subarray(5, 21) };
}

/** send_challenge_ack ('a'): the acceptor's digest of the dialler's challenge. */
export function sendChallengeAck(answer: Buffer): Buffer {
  return Buffer.concat([Buffer.from('a', 'latin1'), answer]);
}

export function readChallengeAck(body: Buffer): Buffer {
  if (body[0] !== 0x61 /* a */ || body.length !== 17) throw new HandshakeError('expected challenge_ack');
  return body.subarray(1, 17);
}

/** Erlang's cookie is an atom whose text goes into MD5 as bytes: one byte per character, so each must be below 256. */
export function checkCookie(cookie: string): void {
  if (cookie.length === 0) throw new HandshakeError('the cookie is empty');
  if (/[^\u0000-\u00ff]/.test(cookie)) throw new HandshakeError('an Erlang cookie may only hold Latin-1 characters (Erlang hashes it one byte per character)');
}
