// A WebSocket listener for the open network, shared by a node's distribution
// port and the port mapper. Before a client may cost anything it must: come
// from a program, not a web page (no `Origin`); upgrade to a WebSocket within
// `upgradeMs`; and then prove itself (`settle`) within `proveMs`, while at most
// `maxWaiting` connections (`maxWaitingPerAddress` from one address) are
// waiting to. Frames are limited to `maxPayload` bytes: ws refuses a bigger
// one from its header, before buffering it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { browserRefusal } from './browsers.ts';
import { ConnectionGuard } from './guard.ts';

export interface WsListenerOptions {
  readonly host: string;
  /** 0 takes a free port. */
  readonly port: number;
  /** The largest frame a client may send. */
  readonly maxPayload: number;
  readonly maxWaiting: number;
  readonly maxWaitingPerAddress: number;
  /** How long a new connection may take to ask for the WebSocket upgrade. */
  readonly upgradeMs: number;
  /** Then how long it may take to prove itself (call `settle`). */
  readonly proveMs: number;
  /** A client that passed the door: `settle` once it has proved itself (authenticated, registered, ...). */
  onClient(ws: WebSocket, remoteAddress: string, settle: () => void): void;
  /** A client turned away, and why (for the log). */
  onRefused(address: string, why: string): void;
}

export interface WsListener {
  readonly port: number;
  /** Closes every connection, proved or not, and stops listening. */
  close(): Promise<void>;
}

export async function listenWs(options: WsListenerOptions): Promise<WsListener> {
  const server: Server = createServer((req, res) => {
    // Not an upgrade: nothing here serves plain HTTP.
    req.resume();
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
    res.end('this port speaks the distsys protocol over WebSocket only\n');
  });
  server.maxHeadersCount = 50;
  const guard = new ConnectionGuard(
    server,
    { maxWaiting: options.maxWaiting, maxWaitingPerAddress: options.maxWaitingPerAddress, deadlineMs: options.upgradeMs },
    (_reason, address, words) => options.onRefused(address, words),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, perMessageDeflate: false, skipUTF8Validation: true });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const address = socket.remoteAddress ?? 'unknown';
    socket.on('error', () => socket.destroy());
    const refusal = browserRefusal(req.headers);
    if (refusal) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      options.onRefused(address, refusal);
      return;
    }
    guard.extend(socket, options.proveMs);
    wss.handleUpgrade(req, socket, head, (ws) => options.onClient(ws, address, () => guard.settle(socket)));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // after listening, errors belong to single connections

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
