// The distribution handshake, after Erlang's: the dialling node says who it is,
// the accepting node answers with a challenge, each proves it knows the cookie
// by a digest of the other's challenge. The cookie itself never crosses.
//
//   initiator                          acceptor
//   hello {name, creation}      --->   (may refuse: reject {reason})
//                               <---   challenge {name, creation, challenge}
//   answer {digest, challenge}  --->   (wrong digest: reject, both log it)
//                               <---   ack {digest}
import type { WebSocket } from 'ws';
import { digest, digestMatches, newChallenge } from '../cookie.ts';
import { FrameQueue, HandshakeError } from './frameQueue.ts';
import { handshakeFrame, type HandshakeFrame } from './frames.ts';
import type { NodeName } from '../terms.ts';

export { HandshakeError } from './frameQueue.ts';

export interface HandshakeResult {
  readonly peer: NodeName;
  readonly creation: number;
  /** Frames that arrived right behind the handshake: the connection reads them first. */
  readonly leftovers: string[];
}

/** Why a handshake ended without a connection; `rejectedBy` says which side refused. */
export class HandshakeRefused extends HandshakeError {
  readonly reason: string;
  readonly rejectedBy: 'peer' | 'us';
  constructor(message: string, reason: string, rejectedBy: 'peer' | 'us') {
    super(message);
    this.reason = reason;
    this.rejectedBy = rejectedBy;
  }
}

export interface HandshakeOptions {
  readonly self: NodeName;
  readonly creation: number;
  readonly cookie: () => string;
  readonly timeoutMs: number;
}

function send(socket: WebSocket, frame: HandshakeFrame): void {
  socket.send(JSON.stringify(frame));
}

async function read<T extends HandshakeFrame['t']>(
  queue: FrameQueue,
  socket: WebSocket,
  expected: T | 'reject',
  options: HandshakeOptions,
  from: string,
): Promise<Extract<HandshakeFrame, { t: T }>> {
  const text = await queue.next(options.timeoutMs, expected === 'reject' ? 'frame' : `${expected} from ${from}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HandshakeError(`${from} sent a malformed frame during the handshake (not JSON)`);
  }
  const parsed = handshakeFrame.safeParse(json);
  if (!parsed.success) {
    const tag = typeof json === 'object' && json !== null && 't' in json ? JSON.stringify((json as { t: unknown }).t) : 'no type';
    throw new HandshakeError(`${from} sent an unexpected frame (${tag}) during the handshake instead of ${expected}`);
  }
  const frame = parsed.data;
  if (frame.t === 'reject' && expected !== 'reject') {
    throw new HandshakeRefused(`${from} refused the connection: ${frame.reason}`, frame.reason, 'peer');
  }
  if (frame.t !== expected) throw new HandshakeError(`${from} sent ${frame.t} during the handshake where ${expected} was due`);
  return frame as Extract<HandshakeFrame, { t: T }>;
}

/** Dials `peer` over an open socket and proves the cookie; resolves once both sides agree. */
export async function initiate(socket: WebSocket, peer: NodeName, options: HandshakeOptions): Promise<HandshakeResult> {
  const queue = new FrameQueue(socket);
  try {
    send(socket, { t: 'hello', name: options.self, creation: options.creation });
    const challenge = await read(queue, socket, 'challenge', options, peer);
    if (challenge.name !== peer) {
      send(socket, { t: 'reject', reason: `expected ${peer}, reached ${challenge.name}` });
      throw new HandshakeRefused(`dialled ${peer} but ${challenge.name} answered`, 'wrong node', 'us');
    }
    const mine = newChallenge();
    send(socket, { t: 'answer', digest: digest(options.cookie(), challenge.challenge, options.self), challenge: mine });
    const ack = await read(queue, socket, 'ack', options, peer);
    if (!digestMatches(digest(options.cookie(), mine, peer), ack.digest)) {
      send(socket, { t: 'reject', reason: 'cookie mismatch' });
      throw new HandshakeRefused(`${peer} could not prove it has our cookie`, 'cookie mismatch', 'us');
    }
    return { peer, creation: challenge.creation, leftovers: queue.detach() };
  } catch (err) {
    queue.detach();
    throw err;
  }
}

/**
 * Answers a node that dialled us. `decide` is asked once the peer has named itself
 * and returns a reason to refuse, or undefined to go on.
 */
export async function accept(
  socket: WebSocket,
  remoteAddress: string,
  options: HandshakeOptions,
  decide: (peer: NodeName, creation: number) => string | undefined,
): Promise<HandshakeResult> {
  const queue = new FrameQueue(socket);
  try {
    const hello = await read(queue, socket, 'hello', options, `a peer at ${remoteAddress}`);
    const peer = hello.name;
    const refusal = decide(peer, hello.creation);
    if (refusal !== undefined) {
      send(socket, { t: 'reject', reason: refusal });
      throw new HandshakeRefused(`refused ${peer}: ${refusal}`, refusal, 'us');
    }
    const mine = newChallenge();
    send(socket, { t: 'challenge', name: options.self, creation: options.creation, challenge: mine });
    const answer = await read(queue, socket, 'answer', options, peer);
    if (!digestMatches(digest(options.cookie(), mine, peer), answer.digest)) {
      send(socket, { t: 'reject', reason: 'cookie mismatch' });
      throw new HandshakeRefused(`rejected a connection from ${peer}: its cookie does not match ours`, 'cookie mismatch', 'us');
    }
    send(socket, { t: 'ack', digest: digest(options.cookie(), answer.challenge, options.self) });
    return { peer, creation: hello.creation, leftovers: queue.detach() };
  } catch (err) {
    queue.detach();
    throw err;
  }
}
