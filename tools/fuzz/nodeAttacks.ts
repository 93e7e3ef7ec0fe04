// Inputs for a node's distribution port, as an attacker on the network would
// send them: bytes that are not HTTP, WebSocket frames of every shape before
// the handshake, frames that declare huge lengths, forged and replayed
// handshakes, and, with the cookie, frames after the handshake that do not
// follow the protocol (with their MAC, so they reach the parser behind it).
// And, as a program relaying a genuine connection would (issue 21): frames
// written into it without the session key, which must close it.
import fc from 'fast-check';
import { newChallenge, proof, sessionKeys } from '../../lib/cookie.ts';
import { FrameSealer, TAG_CHARS } from '../../lib/distribution/frameMac.ts';
import { frameHeader } from '../../test/support/rawSocket.ts';
import { closedWithin, sendBytesAsText, tcp, webSocket, type Outcome } from './wire.ts';

export interface NodeTarget {
  readonly port: number;
  readonly name: string;
  readonly cookie: string;
}

const nodeName = fc.oneof(
  fc.constantFrom('a@b', 'x@127.0.0.1', 'fuzzer@localhost'),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), fc.stringMatching(/^[a-z0-9.]{1,20}$/)).map(([a, h]) => `${a}@${h}`),
  fc.string(),
);
const hex = fc.oneof(fc.stringMatching(/^[0-9a-f]{16,128}$/), fc.string());

/** Handshake-shaped frames with wrong or random fields. */
const handshakeish = fc.oneof(
  fc.record({ t: fc.constant('hello'), name: nodeName, creation: fc.oneof(fc.integer(), fc.string()), to: nodeName }, { requiredKeys: [] }),
  fc.record({ t: fc.constant('answer'), challenge: hex, proof: hex }, { requiredKeys: [] }),
  fc.record({ t: fc.constantFrom('ack', 'confirm', 'reject', 'challenge', 'b', 'tick', 'peers'), reason: fc.string() }, { requiredKeys: ['t'] }),
);

/** One WebSocket frame's content: JSON of the wrong shape, text that is not JSON, bytes that are not UTF-8, binary. */
const frame = fc.oneof(
  fc.jsonValue().map((v) => ({ text: JSON.stringify(v) })),
  handshakeish.map((v) => ({ text: JSON.stringify(v) })),
  handshakeish.map((v) => JSON.stringify(v)).chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => ({ text: t.slice(0, n) }))),
  fc.string({ maxLength: 300 }).map((text) => ({ text })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ bytes })),
  fc.uint8Array({ maxLength: 300 }).map((binary) => ({ binary })),
);

export const nodeInputs = {
  'node: raw bytes instead of HTTP': fc.uint8Array({ maxLength: 4096 }),
  'node: frames before the handshake': fc.array(frame, { minLength: 1, maxLength: 8 }),
  'node: frames declaring huge lengths': fc.bigInt({ min: 1n << 16n, max: (1n << 63n) - 1n }),
  'node: forged and replayed handshakes': fc.record({ name: nodeName, to: fc.oneof(nodeName, fc.constant('TARGET')), replay: fc.boolean(), proof: hex }),
  'node: frames after the handshake': fc.array(
    fc.oneof(
      fc.record({ t: fc.constant('b'), e: fc.array(fc.array(fc.jsonValue(), { maxLength: 5 }), { maxLength: 5 }) }).map((v) => ({ text: JSON.stringify(v) })),
      fc.record({ t: fc.constant('b'), e: fc.array(fc.tuple(fc.constantFrom('s', 'n', 'l', 'u', 'x', 'm', 'dm', 'D', 'p', 'zz'), fc.jsonValue()), { minLength: 1 }) }).map((v) => ({ text: JSON.stringify(v) })),
      // Messages to names nobody holds, and to pids nobody has: delivered or dropped, never run.
      fc.record({ name: fc.constantFrom('nobody', 'fuzz-nobody'), msg: fc.jsonValue() }).map(({ name, msg }) => ({ text: JSON.stringify({ t: 'b', e: [['n', name, msg]] }) })),
      fc.tuple(fc.integer({ min: 1_000_000 }), fc.integer(), fc.jsonValue()).map(([id, c, msg]) => ({ text: JSON.stringify({ t: 'b', e: [['s', id, c, msg]] }) })),
      fc.record({ t: fc.constant('peers'), nodes: fc.array(nodeName, { maxLength: 3 }) }).map((v) => ({ text: JSON.stringify(v) })),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((binary) => ({ binary })),
      frame,
    ),
    { minLength: 1, maxLength: 6 },
  ),
  'node: frames a relay writes into the connection': fc.record({
    // Genuine frames the real peer sent first, then the one written in.
    before: fc.integer({ min: 0, max: 3 }),
    how: fc.constantFrom('no tag', 'a random tag', 'a replayed frame', 'the next tag on other text', 'a tag from another connection'),
    text: fc.oneof(
      fc.constant(JSON.stringify({ t: 'b', e: [['n', 'fuzz-nobody', 'written in']] })),
      fc.jsonValue().map((v) => JSON.stringify({ t: 'b', e: [['n', 'fuzz-nobody', v]] })),
      fc.constant('{"t":"tick"}'),
      fc.string({ maxLength: 200 }),
    ),
  }),
};

type Frame = { text?: string; bytes?: Uint8Array; binary?: Uint8Array };

function sendFrame(socket: NonNullable<Awaited<ReturnType<typeof webSocket>>>, f: Frame): void {
  if (f.text !== undefined) socket.send(f.text);
  else if (f.bytes) sendBytesAsText(socket, f.bytes);
  else if (f.binary) socket.send(Buffer.from(f.binary), { binary: true });
}

/** A captured, once-valid answer: replaying it on another connection must fail. */
let captured: string | undefined;

export function nodeAttacks(target: NodeTarget): Record<keyof typeof nodeInputs, (input: never) => Promise<Outcome>> {
  const fresh = () => `fz${Math.random().toString(36).slice(2, 10)}@fuzzhost`;
  /** A connection that did a correct handshake with the cookie, and the MAC of the frames this side sends on it. */
  const handshaken = async () => {
    const s = await webSocket(target.port);
    if (!s) return undefined;
    const name = fresh();
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    s.on('message', (d) => {
      queue.push(d.toString());
      wake?.();
    });
    const next = async () => {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return JSON.parse(queue.shift() as string) as { t: string; challenge?: string };
    };
    s.send(JSON.stringify({ t: 'hello', name, creation: 1, to: target.name }));
    const challenge = await next();
    if (challenge.t !== 'challenge') throw new Error(`the target answered a good hello with ${JSON.stringify(challenge)}`);
    const mine = newChallenge();
    const transcript = { initiator: name, acceptor: target.name, initiatorChallenge: mine, acceptorChallenge: challenge.challenge as string };
    const answer = JSON.stringify({ t: 'answer', challenge: mine, proof: proof(target.cookie, 'initiator', transcript) });
    captured ??= answer;
    s.send(answer);
    if ((await next()).t !== 'ack') throw new Error('the target refused a correct handshake');
    return { s, sealer: new FrameSealer(sessionKeys(target.cookie, transcript).initiator) };
  };
  return {
    'node: raw bytes instead of HTTP': async (bytes: Uint8Array) => {
      const s = await tcp(target.port);
      s.write(bytes);
      return (await closedWithin(s, 300)) ? 'closed by the target' : 'left open (we closed it)';
    },
    'node: frames before the handshake': async (frames: Frame[]) => {
      const s = await webSocket(target.port);
      if (!s) return 'refused at the door';
      for (const f of frames) sendFrame(s, f);
      return (await closedWithin(s, 300)) ? 'closed by the target' : 'left open (we closed it)';
    },
    'node: frames declaring huge lengths': async (length: bigint) => {
      const s = await tcp(target.port);
      s.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      const header = frameHeader(0);
      header.writeBigUInt64BE(length, 2);
      s.write(header);
      s.write(Buffer.alloc(64 * 1024, 0x61));
      return (await closedWithin(s, 2_000)) ? 'closed by the target' : 'left open (we closed it)';
    },
    'node: forged and replayed handshakes': async (f: { name: string; to: string; replay: boolean; proof: string }) => {
      const s = await webSocket(target.port);
      if (!s) return 'refused at the door';
      const answers: string[] = [];
      s.on('message', (d) => answers.push(d.toString()));
      s.send(JSON.stringify({ t: 'hello', name: f.name, creation: 1, to: f.to === 'TARGET' ? target.name : f.to }));
      await new Promise((r) => setTimeout(r, 20));
      s.send(f.replay && captured ? captured : JSON.stringify({ t: 'answer', challenge: newChallenge(), proof: f.proof }));
      const closed = await closedWithin(s, 1_000);
      if (answers.some((a) => a.includes('"ack"'))) throw new Error(`a forged handshake was acknowledged: ${JSON.stringify(f)}`);
      return closed ? 'closed by the target' : 'left open (we closed it)';
    },
    'node: frames after the handshake': async (frames: Frame[]) => {
      const peer = await handshaken();
      if (!peer) return 'refused at the door';
      for (const f of frames) {
        if (f.text !== undefined) peer.s.send(peer.sealer.seal(f.text));
        else sendFrame(peer.s, f);
      }
      return (await closedWithin(peer.s, 300)) ? 'closed by the target' : 'left open (we closed it)';
    },
    'node: frames a relay writes into the connection': async (r: { before: number; how: string; text: string }) => {
      const peer = await handshaken();
      if (!peer) return 'refused at the door';
      // A replay needs a genuine frame to replay.
      const sent: string[] = [];
      for (let i = 0; i < Math.max(r.before, r.how === 'a replayed frame' ? 1 : 0); i++) {
        sent.push(peer.sealer.seal('{"t":"tick"}'));
        peer.s.send(sent[i] as string);
      }
      const written =
        r.how === 'no tag' ? r.text
        : r.how === 'a random tag' ? `${'A'.repeat(TAG_CHARS)}${r.text}`
        : r.how === 'a replayed frame' ? (sent[0] as string)
        : r.how === 'the next tag on other text' ? `${peer.sealer.seal('{"t":"tick"}').slice(0, TAG_CHARS)}${r.text === '{"t":"tick"}' ? '{"t":"tick" }' : r.text}`
        : new FrameSealer(Buffer.alloc(32, 1)).seal(r.text); // a key of another connection
      peer.s.send(written);
      if (!(await closedWithin(peer.s, 2_000))) throw new Error(`the target kept a connection after a frame written into it (${r.how}): ${JSON.stringify(r.text.slice(0, 80))}`);
      return 'closed by the target';
    },
  };
}
