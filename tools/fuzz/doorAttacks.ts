// Inputs that hold a listener's door (issue 21: another program on the same
// machine, without the cookie): idle sockets, up to as many as the door lets
// wait and more, from 127.0.0.1 and from other loopback addresses, some of them
// upgraded to WebSockets, held while a client that can prove itself comes. It
// must get in, every time: a node with the cookie finishes its handshake, a
// node registers with the port mapper, the storage answers a command. A full
// door closes the oldest stranger, never the newcomer.
import fc from 'fast-check';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { newChallenge, proof } from '../../lib/cookie.ts';
import { parseStorageUrl } from '../../lib/storage/protocol.ts';
import type { Outcome } from './wire.ts';

const ELSEWHERE = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

/** How the door is held: idle sockets from 127.0.0.1, from other loopback addresses, and how many of them upgraded. */
interface Hold {
  readonly fromHere: number;
  readonly elsewhere: number;
  readonly upgraded: boolean;
}

const hold = (most: number, mostElsewhere: number) =>
  fc.record({ fromHere: fc.integer({ min: 0, max: most }), elsewhere: fc.integer({ min: 0, max: mostElsewhere }), upgraded: fc.boolean() });

export const doorInputs = {
  'node: idle sockets holding the door': hold(48, 160),
  'port mapper: idle sockets holding the door': hold(48, 160),
  'storage: idle sockets holding the door': hold(300, 1100),
};

/** One idle connection to `port` from `localAddress`, upgraded to a WebSocket (and then silent) if asked. */
function idle(port: number, localAddress: string, upgraded: boolean): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.on('error', () => resolve(undefined));
    socket.resume(); // what the door says when it closes it is read and dropped
    socket.once('connect', () => {
      if (upgraded) {
        socket.write(
          `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      }
      resolve(socket);
    });
  });
}

async function holdDoor(port: number, h: Hold): Promise<Socket[]> {
  const from = [...Array.from({ length: h.fromHere }, () => '127.0.0.1'), ...Array.from({ length: h.elsewhere }, (_, i) => ELSEWHERE[i % ELSEWHERE.length] as string)];
  const sockets = await Promise.all(from.map((address) => idle(port, address, h.upgraded)));
  return sockets.filter((s): s is Socket => s !== undefined);
}

/** A WebSocket to `port` that sends the first frame and reads the frames that come back, in order. */
async function talk(port: number): Promise<{ ws: WebSocket; next(ms: number): Promise<{ t?: string; ok?: boolean; challenge?: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (d) => {
    queue.push(d.toString());
    wake?.();
  });
  ws.on('close', () => wake?.());
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`turned away before the upgrade (HTTP ${res.statusCode})`)));
  });
  const next = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (queue.length === 0) {
      if (ws.readyState !== WebSocket.OPEN) throw new Error('closed by the target');
      if (Date.now() > deadline) throw new Error(`no answer within ${ms} ms`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
    return JSON.parse(queue.shift() as string) as { t?: string; ok?: boolean; challenge?: string };
  };
  return { ws, next };
}

export function doorAttacks(target: { nodePort: number; node: string; cookie: string; epmdPort: number; storageUrl: string }): Record<keyof typeof doorInputs, (input: never) => Promise<Outcome>> {
  const { origin, token } = parseStorageUrl(target.storageUrl, 'the storage URL');
  const storagePort = Number(new URL(origin).port);
  const whileHeld = async (port: number, h: Hold, what: string, comeIn: () => Promise<void>): Promise<Outcome> => {
    const sockets = await holdDoor(port, h);
    try {
      await comeIn();
    } catch (err) {
      throw new Error(`${what} could not get in while ${sockets.length} idle sockets were held (${JSON.stringify(h)}): ${(err as Error).message}`);
    } finally {
      for (const s of sockets) s.destroy();
    }
    return 'answered';
  };
  return {
    'node: idle sockets holding the door': (h: Hold) =>
      whileHeld(target.nodePort, h, 'a node with the cookie', async () => {
        const { ws, next } = await talk(target.nodePort);
        try {
          const name = `fzdoor${Math.random().toString(36).slice(2, 10)}@fuzzhost`;
          ws.send(JSON.stringify({ t: 'hello', name, creation: 1, to: target.node }));
          const challenge = await next(7_000);
          if (challenge.t !== 'challenge') throw new Error(`answered ${JSON.stringify(challenge)}`);
          const mine = newChallenge();
          const transcript = { initiator: name, acceptor: target.node, initiatorChallenge: mine, acceptorChallenge: challenge.challenge as string };
          ws.send(JSON.stringify({ t: 'answer', challenge: mine, proof: proof(target.cookie, 'initiator', transcript) }));
          const ack = await next(7_000);
          if (ack.t !== 'ack') throw new Error(`answered ${JSON.stringify(ack)}`);
        } finally {
          ws.terminate();
        }
      }),
    'port mapper: idle sockets holding the door': (h: Hold) =>
      whileHeld(target.epmdPort, h, 'a node registering with the port mapper', async () => {
        const { ws, next } = await talk(target.epmdPort);
        try {
          ws.send(JSON.stringify({ id: 1, op: 'register', name: `fzdoor${Math.random().toString(36).slice(2, 10)}`, port: 1 }));
          const reply = await next(5_000);
          if (reply.ok !== true) throw new Error(`answered ${JSON.stringify(reply)}`);
        } finally {
          ws.terminate();
        }
      }),
    'storage: idle sockets holding the door': (h: Hold) =>
      whileHeld(storagePort, { ...h, upgraded: false }, 'a client with the token', async () => {
        // A connection of its own (no agent): one a pool kept open would not come through the door.
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: storagePort, method: 'POST', path: '/command', agent: false, timeout: 5_000, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
            (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (body += chunk));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          req.on('timeout', () => req.destroy(new Error('no answer within 5000 ms')));
          req.on('error', reject);
          req.end(JSON.stringify({ command: 'ping', args: [] }));
        });
        if (answer.status !== 200) throw new Error(`answered HTTP ${answer.status}: ${answer.body}`);
      }),
  };
}
