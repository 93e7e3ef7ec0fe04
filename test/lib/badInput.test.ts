// Bad input on the wire closes only the connection it came on, with a logged
// reason; the node keeps serving its other peers.
import { beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { WebSocket } from 'ws';
import { Node, addLogHandler, rpc, type LogEvent } from '../../lib/index.ts';
import { currentKernel } from '../../lib/node.ts';
import { digest, newChallenge } from '../../lib/cookie.ts';
import { COOKIE, fixture, startChild, startManager, uniqueName } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const MAX_FRAME = 64 * 1024;
const logged: string[] = [];
addLogHandler((event: LogEvent) => logged.push(event.message));

/** A hand-driven peer: a raw WebSocket to this node's distribution port. */
class RawPeer {
  readonly name = `${uniqueName('raw')}@${hostname().split('.')[0]}`;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly received: string[] = [];
  private waiting: ((text: string) => void) | undefined;
  readonly ws: WebSocket;
  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const text = data.toString();
      if (this.waiting) this.waiting(text);
      else this.received.push(text);
      this.waiting = undefined;
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(): Promise<RawPeer> {
    const port = currentKernel()?.port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new RawPeer(ws);
  }

  next(): Promise<{ t: string; [k: string]: unknown }> {
    const queued = this.received.shift();
    const text = queued !== undefined ? Promise.resolve(queued) : new Promise<string>((resolve) => (this.waiting = resolve));
    return text.then((t) => JSON.parse(t));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Completes a correct handshake, as a real node with the right cookie would. */
  async handshake(): Promise<void> {
    this.send({ t: 'hello', name: this.name, creation: 1 });
    const challenge = await this.next();
    expect(challenge.t).toBe('challenge');
    this.send({ t: 'answer', digest: digest(COOKIE, String(challenge.challenge), this.name), challenge: newChallenge() });
    expect((await this.next()).t).toBe('ack');
    await waitFor(() => expect(Node.list()).toContain(this.name));
  }
}

let other: { name: string };

/** The node still serves its real peer: a round trip through rpc. */
async function stillServing(): Promise<void> {
  expect(await rpc.call(other.name, fixture('app.ts'), 'add', [20, 22])).toBe(42);
  expect(Node.list()).toContain(other.name);
}

beforeAll(async () => {
  await startManager({ maxFrameBytes: MAX_FRAME });
  other = await startChild('peer');
  expect(await Node.connect(other.name)).toBe(true);
});

describe('bad input on the wire', () => {
  it('a malformed frame during the handshake closes that connection and is logged', async () => {
    const peer = await RawPeer.open();
    peer.send('{this is not json');
    await peer.closed;
    await waitFor(() => expect(logged.join('\n')).toMatch(/malformed frame during the handshake \(not JSON\)/));
    await stillServing();
  });

  it('a message frame before the handshake is refused', async () => {
    const peer = await RawPeer.open();
    peer.send({ t: 'b', e: [['n', 'rex', 'hello']] });
    await peer.closed;
    await waitFor(() => expect(logged.join('\n')).toMatch(/unexpected frame \("b"\) during the handshake instead of hello/));
    await stillServing();
  });

  it('a wrong handshake answer is rejected as a cookie mismatch, naming the peer', async () => {
    const peer = await RawPeer.open();
    peer.send({ t: 'hello', name: peer.name, creation: 1 });
    const challenge = await peer.next();
    peer.send({ t: 'answer', digest: digest('not-the-cookie', String(challenge.challenge), peer.name), challenge: newChallenge() });
    expect(await peer.next()).toEqual({ t: 'reject', reason: 'cookie mismatch' });
    await peer.closed;
    await waitFor(() => expect(logged.join('\n')).toContain(`rejected a connection from ${peer.name}: its cookie does not match ours`));
    expect(Node.list()).not.toContain(peer.name);
    await stillServing();
  });

  it('after the handshake, a malformed frame or a bad entry closes only that connection', async () => {
    for (const bad of ['][', JSON.stringify({ t: 'b', e: 'x' }), JSON.stringify({ t: 'b', e: [['s', 1, 2]] }), JSON.stringify({ t: 'b', e: [[{ $: 'nope' }]] })]) {
      const peer = await RawPeer.open();
      await peer.handshake();
      peer.send(bad);
      await peer.closed;
      await waitFor(() => expect(Node.list()).not.toContain(peer.name));
      expect(logged.join('\n')).toContain(`malformed frame from ${peer.name}`);
      await stillServing();
    }
  });

  it('an oversized frame closes that connection, before or after the handshake', async () => {
    const early = await RawPeer.open();
    early.send('x'.repeat(MAX_FRAME + 1));
    expect((await early.closed).code).toBe(1009);
    const late = await RawPeer.open();
    await late.handshake();
    late.send(JSON.stringify({ t: 'b', e: [['n', 'rex', 'y'.repeat(MAX_FRAME)]] }));
    await late.closed;
    await waitFor(() => expect(logged.join('\n')).toContain(`${late.name}: peer sent an oversized frame`));
    await stillServing();
  });
});
