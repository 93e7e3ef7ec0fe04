// The distribution handshake, after Erlang's: the dialling node (the initiator)
// says who it is and whom it meant to reach, the accepting node (the acceptor)
// answers with a challenge, and each proves it knows the cookie. The cookie
// never crosses the wire.
//
//   initiator I                                    acceptor A
//   hello {name: I, creation, to: A}        --->   refuses here if it is not A, or I may not connect
//                                           <---   challenge {name: A, creation, challenge: cA}
//   answer {challenge: cI, proof: P(I)}     --->   checks P(I); then decides (see below)
//                                           <---   ack {proof: P(A), replace?}
//   confirm                                 --->   (only after `replace`)
//
//   P(role) = HMAC-SHA256(cookie, "distsys handshake v2", role, I, A, cI, cA)
//   K(role) = HMAC-SHA256(cookie, "distsys session v1", role, I, A, cI, cA)
//
// After the handshake, every frame `role` sends carries a MAC under K(role)
// (frameMac.ts): a relay that passed the handshake through cannot write into
// the connection, since it cannot compute a key from what it saw.
//
// Each proof covers both names, both fresh challenges and the direction, so it
// proves something about this connection only. A proof relayed from another
// connection names another acceptor or another challenge and fails: an
// attacker who registers a name that A dials cannot replay A's proof to a third
// node C; a reflected proof has the wrong role.
//
// Nothing about the peer is believed before its proof checks out: the acceptor
// touches its connection table only after that (`decide`), so a forged hello
// cannot take a peer's place, kill a handshake in progress or stall a ping.
// `decide` settles two nodes dialling each other at once (the connection
// dialled by the node with the smaller name wins; the other is refused with
// "simultaneous connect") and a peer that dials although the acceptor thinks
// they are connected: the acceptor acks with `replace`, and the initiator, if
// it really has no connection, confirms that the old one is stale.
import type { WebSocket } from 'ws';
import { proof, proofMatches, newChallenge, sessionKeys, type Transcript } from '../cookie.ts';
import { untrusted } from '../logger.ts';
import { FrameQueue, HandshakeError, type RawFrame } from './frameQueue.ts';
import { handshakeFrame, type HandshakeFrame } from './frames.ts';
import { HandshakeRefused, REFUSALS, type Decision, type Refusal } from './refusals.ts';
import type { NodeName } from '../terms.ts';

export { HandshakeError } from './frameQueue.ts';
export { HandshakeRefused, REFUSALS, type Decision, type Refusal } from './refusals.ts';

export interface HandshakeResult {
  readonly peer: NodeName;
  readonly creation: number;
  /** Frames that arrived right behind the handshake: the connection reads them first. */
  readonly leftovers: RawFrame[];
  /** The connection's MAC keys: for the frames this node sends, and for those it receives. */
  readonly keys: { readonly send: Buffer; readonly receive: Buffer };
}

export interface HandshakeOptions {
  readonly self: NodeName;
  readonly creation: number;
  readonly cookie: () => string;
  /** The whole handshake must be over within this time. */
  readonly timeoutMs: number;
}

/** What the acceptor asks its node during the handshake. */
export interface AcceptorHooks {
  /** Before any challenge: a reason to turn `peer` away at once (partitioned, stopping, ...), or undefined. */
  admit(peer: NodeName): Refusal | undefined;
  /** After the peer's proof checked out: whether to take the connection. */
  decide(peer: NodeName, creation: number): Decision;
  /** With `replace`, the initiator confirmed: the acceptor's old connection is stale. */
  confirmed?(peer: NodeName): void;
}

/** What the initiator asks its node when the acceptor says it already holds a connection with it. */
export interface InitiatorHooks {
  /** True if this node has a live connection to `peer` of its own (then the new one is dropped). */
  connected(peer: NodeName): boolean;
}

function send(socket: WebSocket, frame: HandshakeFrame): void {
  socket.send(JSON.stringify(frame));
}

class Reader {
  private readonly queue: FrameQueue;
  private readonly deadline: number;
  /** Who the frames come from, for messages: an address until the peer has named itself. */
  from: string;
  constructor(socket: WebSocket, timeoutMs: number, from: string) {
    this.queue = new FrameQueue(socket);
    this.deadline = Date.now() + timeoutMs;
    this.from = from;
  }

  async read<T extends HandshakeFrame['t']>(expected: T): Promise<Extract<HandshakeFrame, { t: T }>> {
    const from = this.from;
    const text = await this.queue.next(this.deadline - Date.now(), `${expected} from ${from}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HandshakeError(`${from} sent a malformed frame during the handshake (not JSON)`);
    }
    const parsed = handshakeFrame.safeParse(json);
    if (!parsed.success) {
      const tag = typeof json === 'object' && json !== null && 't' in json ? JSON.stringify((json as { t: unknown }).t).slice(0, 40) : 'no type';
      throw new HandshakeError(`${from} sent an unexpected frame (${tag}) during the handshake instead of ${expected}`);
    }
    const frame = parsed.data;
    if (frame.t === 'reject' && expected !== 'reject') {
      throw new HandshakeRefused(`${from} refused the connection: ${untrusted(frame.reason)}`, frame.reason, 'peer');
    }
    if (frame.t !== expected) throw new HandshakeError(`${from} sent ${frame.t} during the handshake where ${expected} was due`);
    return frame as Extract<HandshakeFrame, { t: T }>;
  }

  detach(): RawFrame[] {
    return this.queue.detach();
  }
}

/** A socket closed under the handshake (the listener's door turned it away, say) brings no connection up. */
function stillOpen(socket: WebSocket): void {
  if (socket.readyState !== socket.OPEN) throw new HandshakeError('the connection was closed during the handshake');
}

function refuse(socket: WebSocket, message: string, reason: string): HandshakeRefused {
  send(socket, { t: 'reject', reason });
  return new HandshakeRefused(message, reason, 'us');
}

/** Dials `peer` over an open socket and proves the cookie; resolves once both sides agree. */
export async function initiate(socket: WebSocket, peer: NodeName, options: HandshakeOptions, hooks: InitiatorHooks): Promise<HandshakeResult> {
  const reader = new Reader(socket, options.timeoutMs, peer);
  try {
    send(socket, { t: 'hello', name: options.self, creation: options.creation, to: peer });
    const challenge = await reader.read('challenge');
    if (challenge.name !== peer) {
      throw refuse(socket, `dialled ${peer} but ${untrusted(challenge.name)} answered`, `expected ${peer}, reached ${challenge.name}`);
    }
    const t: Transcript = { initiator: options.self, acceptor: peer, initiatorChallenge: newChallenge(), acceptorChallenge: challenge.challenge };
    send(socket, { t: 'answer', challenge: t.initiatorChallenge, proof: proof(options.cookie(), 'initiator', t) });
    const ack = await reader.read('ack');
    if (!proofMatches(proof(options.cookie(), 'acceptor', t), ack.proof)) {
      throw refuse(socket, `${peer} could not prove it has our cookie`, REFUSALS.cookieMismatch);
    }
    if (ack.replace) {
      // The acceptor holds a connection with us. If we hold one too, this new one is a race: drop it.
      if (hooks.connected(peer)) throw new HandshakeRefused(`${peer} and this node are connected already`, REFUSALS.alreadyConnected, 'us');
      send(socket, { t: 'confirm' });
    }
    stillOpen(socket);
    const keys = sessionKeys(options.cookie(), t);
    return { peer, creation: challenge.creation, leftovers: reader.detach(), keys: { send: keys.initiator, receive: keys.acceptor } };
  } catch (err) {
    reader.detach();
    throw err;
  }
}

/** Answers a node that dialled us, asking `hooks` before the challenge and after the peer's proof. */
export async function accept(socket: WebSocket, remoteAddress: string, options: HandshakeOptions, hooks: AcceptorHooks): Promise<HandshakeResult> {
  const reader = new Reader(socket, options.timeoutMs, 'the peer');
  try {
    const hello = await reader.read('hello');
    const peer = hello.name;
    // The name is only a claim until the proof checks out; in words, it is quoted as network text.
    const claimed = untrusted(peer);
    reader.from = claimed;
    if (hello.to !== options.self) {
      throw refuse(socket, `refused ${claimed} (at ${remoteAddress}): it dialled ${untrusted(hello.to)}, but this is ${options.self}`, `this is ${options.self}, not ${hello.to}`);
    }
    const refusal = peer === options.self ? 'ownName' : hooks.admit(peer);
    if (refusal !== undefined) throw refuse(socket, `refused ${claimed} (at ${remoteAddress}): ${REFUSALS[refusal]}`, REFUSALS[refusal]);
    const acceptorChallenge = newChallenge();
    send(socket, { t: 'challenge', name: options.self, creation: options.creation, challenge: acceptorChallenge });
    const answer = await reader.read('answer');
    const t: Transcript = { initiator: peer, acceptor: options.self, initiatorChallenge: answer.challenge, acceptorChallenge };
    if (!proofMatches(proof(options.cookie(), 'initiator', t), answer.proof)) {
      throw refuse(
        socket,
        `rejected a connection from ${claimed} (at ${remoteAddress}): its cookie does not match ours (or its proof was made for another connection, which a relay would do)`,
        REFUSALS.cookieMismatch,
      );
    }
    const decision = hooks.decide(peer, hello.creation);
    if ('refuse' in decision) throw refuse(socket, `refused ${peer}: ${REFUSALS[decision.refuse]}`, REFUSALS[decision.refuse]);
    send(socket, { t: 'ack', proof: proof(options.cookie(), 'acceptor', t), ...(decision.replace ? { replace: true } : {}) });
    if (decision.replace) {
      await reader.read('confirm');
      hooks.confirmed?.(peer);
    }
    stillOpen(socket);
    const keys = sessionKeys(options.cookie(), t);
    return { peer, creation: hello.creation, leftovers: reader.detach(), keys: { send: keys.acceptor, receive: keys.initiator } };
  } catch (err) {
    reader.detach();
    throw err;
  }
}
