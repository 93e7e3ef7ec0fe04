// Raw TCP clients of a WebSocket port, for tests that play the attacker below
// what a WebSocket library allows: a connection that never upgrades, or a frame
// header that declares far more bytes than the listener accepts.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

/** A TCP connection to 127.0.0.1:`port` (from `localAddress`, another loopback address, if given). */
export function rawTcp(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves when the other side has closed `socket` (or it was reset), with what it said first (a listener's door says why). */
export function closedBy(socket: Socket): Promise<string> {
  if (socket.destroyed) return Promise.resolve('');
  let said = '';
  socket.on('data', (chunk: Buffer) => (said += chunk.toString('latin1')));
  return new Promise((resolve) => socket.once('close', () => resolve(said)));
}

/** A TCP connection that has done the WebSocket upgrade by hand; resolves with the socket after `101`. */
export async function upgraded(port: number, localAddress?: string): Promise<Socket> {
  const socket = await rawTcp(port, localAddress);
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed before the upgrade')));
  });
  return socket;
}

/** The header of a masked text frame that declares `length` bytes of payload (a client must mask). */
export function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81; // FIN, text
  header[1] = 0x80 | 127; // masked, 64-bit length
  header.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(header, 10);
  return header;
}

/**
 * Writes a frame that declares `length` bytes, then streams that many bytes (from one reused buffer),
 * until done or until the other side closes. Resolves with the number of payload bytes written.
 */
export async function sendHugeFrame(socket: Socket, length: number): Promise<number> {
  const block = Buffer.alloc(1 << 20, 0x61);
  let written = 0;
  const closed = closedBy(socket);
  let open = true;
  void closed.then(() => (open = false));
  if (!socket.write(frameHeader(length))) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
  while (open && written < length) {
    const part = Math.min(block.length, length - written);
    written += part;
    if (!socket.write(part === block.length ? block : block.subarray(0, part))) {
      await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
    }
  }
  return written;
}
