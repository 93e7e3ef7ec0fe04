// Raw clients for the fuzz campaign: a TCP socket, a WebSocket that may send
// anything (text that is not UTF-8, frames of any shape), and a wait for the
// target to close a connection, each bounded in time.
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';

/** What became of one input. */
export type Outcome = 'closed by the target' | 'answered' | 'refused at the door' | 'left open (we closed it)';

export function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => {});
      // Read (and drop) what comes back: a paused socket never sees the other side close it.
      socket.resume();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A WebSocket to `port`; undefined if the target refused the upgrade or the connection. */
export function webSocket(port: number, options: { origin?: string } = {}): Promise<WebSocket | undefined> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { handshakeTimeout: 5_000, ...(options.origin ? { origin: options.origin } : {}) });
    socket.on('error', () => resolve(undefined));
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(undefined);
    });
    socket.once('open', () => resolve(socket));
  });
}

/** Resolves with whether the other side closed `conn` within `ms`; closes it ourselves if not. */
export function closedWithin(conn: Socket | WebSocket, ms: number): Promise<boolean> {
  const isWs = conn instanceof WebSocket;
  if (isWs ? conn.readyState === WebSocket.CLOSED : conn.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (isWs) conn.terminate();
      else conn.destroy();
      resolve(false);
    }, ms);
    conn.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Text frames with any bytes in them: a WebSocket client does not check what it sends. */
export function sendBytesAsText(socket: WebSocket, bytes: Uint8Array): void {
  socket.send(Buffer.from(bytes), { binary: false });
}
