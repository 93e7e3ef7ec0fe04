// A hand-driven client of a node's distribution port: a raw WebSocket that can
// speak the handshake correctly (as a real node with the cookie would) or
// wrongly (as an attacker would), and send whatever frames a test wants. After
// a correct handshake, `send` puts the MAC a real node would in front of each
// frame (so a test reaches what lies behind it); `sendUnsealed` does not.
import { expect } from 'vitest';
import { hostname } from 'node:os';
import { WebSocket } from 'ws';
import { newChallenge, proof, sessionKeys } from '../../lib/cookie.ts';
import { FrameSealer } from '../../lib/distribution/frameMac.ts';
import { currentKernel } from '../../lib/distribution/current.ts';
import { Node } from '../../lib/index.ts';
import { COOKIE, uniqueName } from './nodes.ts';
import { waitFor } from './wait.ts';

export type Frame = { t: string; [k: string]: unknown };

export class RawPeer {
  readonly name: string;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly ws: WebSocket;
  private readonly received: string[] = [];
  private waiting: ((text: string) => void) | undefined;
  /** Set by a correct handshake: the MAC of the frames this peer sends after it. */
  private sealer: FrameSealer | undefined;

  private constructor(ws: WebSocket, name: string) {
    this.ws = ws;
    this.name = name;
    ws.on('message', (data) => {
      const text = data.toString();
      if (this.waiting) this.waiting(text);
      else this.received.push(text);
      this.waiting = undefined;
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a connection to `port` (this test's own node by default), as a peer that will call itself `name`. */
  static async open(port = currentKernel()?.port, name = `${uniqueName('raw')}@${hostname().split('.')[0]}`): Promise<RawPeer> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new RawPeer(ws, name);
  }

  next(): Promise<Frame> {
    const queued = this.received.shift();
    const text = queued !== undefined ? Promise.resolve(queued) : new Promise<string>((resolve) => (this.waiting = resolve));
    return text.then((t) => JSON.parse(t) as Frame);
  }

  send(frame: unknown): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.ws.send(this.sealer ? this.sealer.seal(text) : text);
  }

  /** Sends a frame without its MAC, as a program relaying the connection would have to. */
  sendUnsealed(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Says hello to `to` (this test's node by default) and returns its challenge frame. */
  async hello(to = Node.self()): Promise<Frame> {
    this.send({ t: 'hello', name: this.name, creation: 1, to });
    return this.next();
  }

  /** Completes a correct handshake with `cookie`, as a real node would, and waits until this node lists the peer. */
  async handshake(cookie = COOKIE, to = Node.self()): Promise<void> {
    const challenge = await this.hello(to);
    expect(challenge.t).toBe('challenge');
    const mine = newChallenge();
    const transcript = { initiator: this.name, acceptor: to, initiatorChallenge: mine, acceptorChallenge: String(challenge.challenge) };
    this.send({ t: 'answer', challenge: mine, proof: proof(cookie, 'initiator', transcript) });
    expect((await this.next()).t).toBe('ack');
    this.sealer = new FrameSealer(sessionKeys(cookie, transcript).initiator);
    await waitFor(() => expect(Node.list()).toContain(this.name));
  }
}
