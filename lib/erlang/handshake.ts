// Erlang's distribution handshake, both sides (version 6, as OTP 23 and later do
// it; OTP 25 accepts nothing older). The dialling node A proves the cookie first:
//
//   A: send_name ('N': flags, creation, name)        -> B
//   A <- status ('sok'; or nok, not_allowed, alive)     B
//   A <- challenge ('N': flags, ChB, creation, name)    B
//   A: challenge_reply ('r': ChA, md5(cookie ++ ChB))  -> B checks it
//   A <- challenge_ack ('a': md5(cookie ++ ChA))        B; A checks it
//
// Either side that sees a wrong digest closes the connection. Each message is a
// 2-byte-length packet; what follows the handshake uses 4-byte lengths.
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import { flagNames, missingMandatory } from './flags.ts';
import {
  HandshakeError,
  checkCookie,
  digest,
  digestMatches,
  readChallenge,
  readChallengeAck,
  readChallengeReply,
  readComplement,
  readSendName,
  readStatus,
  sendChallenge,
  sendChallengeAck,
  sendChallengeReply,
  sendName,
  sendStatus,
  type NodeHello,
  type Status,
} from './handshakeMessages.ts';
import { PacketReader, packet } from './packets.ts';

export { HandshakeError };

export interface HandshakeOptions {
  /** This node's full name, `name@host`. */
  name: string;
  cookie: string;
  /** This node's incarnation: the creation in its pids and refs. */
  creation: number;
  /** The flags this node offers (flags.ts). */
  flags: bigint;
  /** How long the whole handshake may take. Default 7000 ms, Erlang's net_setuptime. */
  timeoutMs?: number;
}

export interface DialHandshakeOptions extends HandshakeOptions {
  /** The node this side dialled: the challenge must come from it. */
  peer: string;
  /** The peer says it still has a connection to us (status alive): true drops that one and goes on. Default: false. */
  onAlive?: () => boolean;
}

export interface AcceptHandshakeOptions extends HandshakeOptions {
  /** Whether to go on with a node that says hello: the status to answer. Default 'ok'. */
  admit?: (peer: NodeHello) => Status | Promise<Status>;
  /**
   * The peer proved the cookie (its challenge_reply checked out): the last word before this
   * side sends its challenge_ack. Throwing ends the handshake there (the protocol has no status
   * left to say why: the connection closes), as a net kernel does when its table changed meanwhile.
   */
  proven?: (peer: NodeHello) => void;
}

/** A handshake that succeeded: who the peer is, and the flags both sides have. */
export interface Handshaken {
  peer: NodeHello;
  flags: bigint;
  /** The packets reader, switched to 4-byte lengths, with whatever already arrived after the handshake. */
  reader: PacketReader;
}

/** Reads the handshake's packets off a socket, one at a time, with a deadline. */
class Channel {
  readonly reader: PacketReader;
  private readonly socket: Socket;
  private readonly deadline: number;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(socket: Socket, timeoutMs: number, maxPacket: number) {
    this.socket = socket;
    this.reader = new PacketReader(2, maxPacket);
    this.deadline = Date.now() + timeoutMs;
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    this.wake?.();
  };
  private onClose = () => {
    this.failure ??= new HandshakeError('the peer closed the connection during the handshake');
    this.wake?.();
  };
  private onError = (err: Error) => {
    this.failure ??= new HandshakeError(`connection error during the handshake: ${err.message}`);
    this.wake?.();
  };

  async read(what: string): Promise<Buffer> {
    for (;;) {
      const body = this.reader.next();
      if (body) return body;
      if (this.failure) throw this.failure;
      const left = this.deadline - Date.now();
      if (left <= 0) throw new HandshakeError(`no ${what} within the handshake time`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  send(body: Buffer): void {
    this.socket.write(packet(2, body));
  }

  /** Stops reading: the connection takes the socket and the reader over from here. */
  release(): PacketReader {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    this.reader.headerSize = 4;
    return this.reader;
  }
}

function newChallenge(): number {
  return randomInt(0, 2 ** 32 - 1);
}

function checkPeerFlags(peer: NodeHello): void {
  const missing = missingMandatory(peer.flags);
  if (missing.length > 0) throw new HandshakeError(`${peer.name} lacks the distribution flags OTP 25 requires: ${missing.join(', ')}`);
}

async function run<T>(socket: Socket, options: HandshakeOptions, maxPacket: number, steps: (channel: Channel) => Promise<T>): Promise<T & { reader: PacketReader }> {
  checkCookie(options.cookie);
  // Every handshake message is a few dozen bytes (a name is at most 255 characters): a longer
  // packet is no Erlang node (an HTTP request's "GE" reads as 18245 bytes) and ends it at once.
  const channel = new Channel(socket, options.timeoutMs ?? 7_000, 2048);
  try {
    const result = await steps(channel);
    const reader = channel.release();
    reader.maxSize = maxPacket;
    return { ...result, reader };
  } catch (err) {
    channel.release();
    socket.destroy();
    throw err instanceof HandshakeError ? err : new HandshakeError((err as Error).message);
  }
}

/** The dialling side's handshake on a connected socket. */
export function dialHandshake(socket: Socket, options: DialHandshakeOptions, maxPacket: number): Promise<Handshaken> {
  return run(socket, options, maxPacket, async (channel) => {
    const self: NodeHello = { flags: options.flags, creation: options.creation, name: options.name };
    channel.send(sendName(self));
    const status = readStatus(await channel.read('status'));
    if (status === 'alive') {
      const goOn = options.onAlive?.() ?? false;
      channel.send(sendStatus(goOn ? 'true' : 'false'));
      if (!goOn) throw new HandshakeError(`${options.peer} still has a connection to this node (status alive)`, status);
    } else if (status !== 'ok' && status !== 'ok_simultaneous') {
      throw new HandshakeError(`${options.peer} refused the connection (status ${status})`, status);
    }
    const challenge = readChallenge(await channel.read('challenge'));
    if (challenge.name !== options.peer) throw new HandshakeError(`dialled ${options.peer} but ${challenge.name} answered`);
    checkPeerFlags(challenge);
    const mine = newChallenge();
    channel.send(sendChallengeReply(mine, digest(challenge.challenge, options.cookie)));
    const ack = readChallengeAck(
      await channel.read('challenge_ack').catch((err: Error) => {
        // What Erlang does with a digest it cannot check: it closes the connection without a word.
        throw new HandshakeError(`${options.peer} did not accept this node's cookie (${err.message} after the challenge reply)`);
      }),
    );
    if (!digestMatches(digest(mine, options.cookie), ack)) throw new HandshakeError(`${options.peer} did not prove the cookie (wrong digest in challenge_ack)`);
    const peer: NodeHello = { flags: challenge.flags, creation: challenge.creation, name: challenge.name };
    return { peer, flags: options.flags & peer.flags };
  });
}

/** The accepting side's handshake on a socket a peer connected. */
export function acceptHandshake(socket: Socket, options: AcceptHandshakeOptions, maxPacket: number): Promise<Handshaken> {
  return run(socket, options, maxPacket, async (channel) => {
    const hello = readSendName(await channel.read('send_name'));
    checkPeerFlags(hello); // the mandatory flags are all among the low 32 bits an old send_name has
    const status = options.admit ? await options.admit(hello) : 'ok';
    channel.send(sendStatus(status));
    if (status === 'nok' || status === 'not_allowed') throw new HandshakeError(`refused ${hello.name} (status ${status})`);
    if (status === 'alive') {
      const answer = readStatus(await channel.read('status'));
      if (answer !== 'true') throw new HandshakeError(`${hello.name} gave up its connection attempt (it answered alive with ${answer})`);
    }
    const self: NodeHello = { flags: options.flags, creation: options.creation, name: options.name };
    const mine = newChallenge();
    channel.send(sendChallenge(self, mine));
    let peer: NodeHello = { flags: hello.flags, creation: hello.creation, name: hello.name };
    if (hello.old) {
      const complement = readComplement(await channel.read('send_complement'));
      peer = { ...peer, flags: peer.flags | complement.flagsHigh, creation: complement.creation };
    }
    const reply = readChallengeReply(await channel.read('challenge_reply'));
    if (!digestMatches(digest(mine, options.cookie), reply.digest)) throw new HandshakeError(`${hello.name} did not prove the cookie (wrong digest in challenge_reply)`);
    options.proven?.(peer);
    channel.send(sendChallengeAck(digest(reply.challenge, options.cookie)));
    return { peer, flags: options.flags & peer.flags };
  });
}

/** A line for logs: who, and the flags in use. */
export function describeHandshake(h: Handshaken): string {
  return `${h.peer.name} (creation ${h.peer.creation}; flags ${flagNames(h.flags).join(' ')})`;
}
