// A node's distribution port faces the network: whatever an unauthenticated
// client sends (or leaves unsent), it cannot take a peer's place, stall a ping,
// hold the node's sockets or grow its memory, and web pages are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Node, addLogHandler, rpc, type LogEvent } from '../../lib/index.ts';
import { MAX_WIRE_FRAME_BYTES } from '../../lib/distribution/frames.ts';
import { spawnNode } from '../../lib/cluster/spawnNode.ts';
import { COOKIE, fixture, startChild, startManager, uniqueName } from '../support/nodes.ts';
import { RawPeer } from '../support/rawPeer.ts';
import { closedBy, rawTcp, sendHugeFrame, upgraded } from '../support/rawSocket.ts';
import { waitFor } from '../support/wait.ts';

const MIB = 1024 * 1024;
const logged: string[] = [];
addLogHandler((event: LogEvent) => logged.push(event.message));
const KERNEL = fixture('kernel.ts');
const portOf = (node: string) => rpc.call<number>(node, KERNEL, 'port');
const rssOf = (node: string) => rpc.call<number>(node, KERNEL, 'rss');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  await startManager({ maxFrameBytes: 4 * MIB });
});

describe('before a peer has proved the cookie', () => {
  it('forged hellos in a peer\'s name neither take its place nor stall a ping, a message or its own dial', async () => {
    const b = await startChild('real');
    const forged = await Promise.all(range(10).map(() => RawPeer.open(undefined, b.name)));
    for (const f of forged) expect((await f.hello()).t).toBe('challenge');
    const started = Date.now();
    expect(await Node.ping(b.name)).toBe('pong');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await rpc.call(b.name, fixture('app.ts'), 'add', [40, 2])).toBe(42);

    // A peer that dials us while forged hellos in its name wait: its own handshake goes through.
    const cName = `${uniqueName('dialer')}@${Node.self().split('@')[1]}`;
    const more = await Promise.all(range(5).map(() => RawPeer.open(undefined, cName)));
    for (const f of more) expect((await f.hello()).t).toBe('challenge');
    const c = await spawnNode({ sname: cName.split('@')[0], cookie: COOKIE, boot: fixture('dialAtBoot.ts'), env: { DIAL: Node.self() } });
    try {
      expect(c.name).toBe(cName);
      expect(Node.list()).toContain(cName);
    } finally {
      await c.kill();
      for (const f of [...forged, ...more]) f.ws.terminate();
    }
  });

  it('a connection that never upgrades, or never finishes its handshake, is closed at its deadline', async () => {
    const quick = await startChild('quick', { env: { DISTSYS_SETUP_MS: '1000' } });
    const port = await portOf(quick.name);
    const idle = await rawTcp(port);
    const silent = await upgraded(port);
    const halfway = await RawPeer.open(port, `${uniqueName('halfway')}@${Node.self().split('@')[1]}`);
    expect((await halfway.hello(quick.name)).t).toBe('challenge');
    // One that floods frames without waiting for answers: the node stops reading it and closes it at the deadline.
    const flooder = await RawPeer.open(port, `${uniqueName('flood')}@${Node.self().split('@')[1]}`);
    flooder.send({ t: 'hello', name: flooder.name, creation: 1, to: quick.name });
    for (let i = 0; i < 300; i++) flooder.send('x'.repeat(8 * 1024));
    const started = Date.now();
    await Promise.all([closedBy(idle), closedBy(silent), halfway.closed, flooder.closed]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await rpc.call(quick.name, fixture('app.ts'), 'add', [1, 1])).toBe(2);
    await waitFor(() => expect(quick.log()).toMatch(/did not prove itself in time|within the setup time/));
  });

  it('too many connections waiting from one address: the oldest are closed to make room, and told why; peers from elsewhere and connected peers are served', async () => {
    const target = await startChild('crowded');
    const port = await portOf(target.name);
    const idle: Awaited<ReturnType<typeof rawTcp>>[] = [];
    for (let i = 0; i < 40; i++) idle.push(await rawTcp(port));
    // 32 may wait (until their deadline): each newcomer past them closes the oldest, which is told why.
    const said = await Promise.all(idle.slice(0, 8).map(closedBy));
    for (const words of said) {
      expect(words).toMatch(/^HTTP\/1\.1 503 /);
      expect(words).toContain('turned away: too many connections from that address were waiting to prove themselves: the oldest was closed to make room');
    }
    expect(idle.slice(8).filter((s) => s.destroyed)).toEqual([]);
    await waitFor(() => expect(target.log()).toContain('refused a connection from 127.0.0.1: too many connections from that address were waiting to prove themselves: the oldest was closed to make room'));
    // A real peer from another address gets in; the manager, connected before, is served.
    const elsewhere = new WebSocket(`ws://127.0.0.1:${port}/`, { localAddress: '127.0.0.2' });
    await new Promise((resolve, reject) => elsewhere.once('open', resolve).once('error', reject));
    elsewhere.close();
    expect(await rpc.call(target.name, fixture('app.ts'), 'add', [2, 3])).toBe(5);
    for (const s of idle) s.destroy();
    // Once they are gone, that address may connect again.
    const again = await rawTcp(port);
    await waitFor(() => expect(again.destroyed).toBe(false));
    again.destroy();
  });

  it('100 connections each sending a 60 MiB frame leave the node\'s memory within a small bound, and it serves its peers', async () => {
    const target = await startChild('memory');
    const port = await portOf(target.name);
    const before = await rssOf(target.name);
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) peak = Math.max(peak, await rssOf(target.name));
    })();
    // 25 from each of four loopback addresses: all get past the door and upgrade, then send.
    const sockets = await Promise.all(range(100).map((i) => upgraded(port, `127.0.0.${1 + (i % 4)}`)));
    const sent = await Promise.all(sockets.map((s) => sendHugeFrame(s, 60 * MIB)));
    sampling = false;
    await sampler;
    const after = await rssOf(target.name);
    expect(await rpc.call(target.name, fixture('app.ts'), 'add', [4, 5])).toBe(9);
    process.stdout.write(
      `memory of a node under 100 x 60 MiB frames: before ${(before / MIB).toFixed(0)} MiB, peak ${(peak / MIB).toFixed(0)} MiB, after ${(after / MIB).toFixed(0)} MiB; ` +
        `the clients got ${(Math.max(...sent) / MIB).toFixed(1)} MiB out at most before being cut off\n`,
    );
    expect(peak - before).toBeLessThan(64 * MIB);
    expect(Math.max(...sent)).toBeLessThan(60 * MIB);
  });

  it('a web page is refused: a WebSocket upgrade that carries an Origin gets 403', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${(await import('../../lib/distribution/current.ts')).currentKernel()?.port}/`, { origin: 'https://evil.example' });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
    await waitFor(() => expect(logged.join('\n')).toContain('refused a connection from 127.0.0.1: a web page (Origin https://evil.example) may not use it'));
  });
});

describe('after the handshake', () => {
  it('messages larger than one wire frame cross in chunks, both ways', async () => {
    const b = await startChild('big');
    const text = 'é'.repeat(1.5 * MIB); // 3 MiB of UTF-8, over a few hundred chunks
    expect(text.length * 2).toBeGreaterThan(MAX_WIRE_FRAME_BYTES);
    expect(await rpc.call<string>(b.name, KERNEL, 'echo', [text])).toBe(text);
  });

  it('a chunked frame over the node\'s maxFrameBytes closes that connection only', async () => {
    const peer = await RawPeer.open();
    await peer.handshake();
    const chunk = Buffer.alloc(MAX_WIRE_FRAME_BYTES, 0x20);
    chunk[0] = 1; // more follow
    for (let sent = 0; sent <= 5 * MIB; sent += chunk.length) peer.ws.send(chunk, { binary: true });
    await peer.closed;
    await waitFor(() => expect(logged.join('\n')).toContain(`closed the connection to ${peer.name}: peer sent an oversized frame`));
  });
});
