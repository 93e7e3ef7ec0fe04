// Bad input on the wire closes only the connection it came on, with a logged
// reason; the node keeps serving its other peers.
import { beforeAll, describe, expect, it } from 'vitest';
import { Node, addLogHandler, rpc, type LogEvent } from '../../lib/index.ts';
import { newChallenge, proof } from '../../lib/cookie.ts';
import { fixture, startChild, startManager } from '../support/nodes.ts';
import { RawPeer } from '../support/rawPeer.ts';
import { waitFor } from '../support/wait.ts';

const MAX_FRAME = 64 * 1024;
const logged: string[] = [];
addLogHandler((event: LogEvent) => logged.push(event.message));

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
    const challenge = await peer.hello();
    const mine = newChallenge();
    const transcript = { initiator: peer.name, acceptor: Node.self(), initiatorChallenge: mine, acceptorChallenge: String(challenge.challenge) };
    peer.send({ t: 'answer', challenge: mine, proof: proof('not-the-cookie', 'initiator', transcript) });
    expect(await peer.next()).toEqual({ t: 'reject', reason: 'cookie mismatch' });
    await peer.closed;
    await waitFor(() => expect(logged.join('\n')).toContain(`rejected a connection from ${peer.name} (at 127.0.0.1): its cookie does not match ours`));
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
