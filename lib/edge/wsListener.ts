// A WebSocket listener for the open network, shared by a node's distribution
// port and the port mapper. Before a client may cost anything it must: come
// from a program, not a web page (no `Origin`); upgrade to a WebSocket within
// `upgradeMs`; and then prove itself (`settle`) within `proveMs`, while at most
// `maxWaiting` connections (`maxWaitingPerAddress` from one address) are
// waiting to; a full door closes the oldest of them (guard.ts). A client that
// is closed is told why: an HTTP 503 before the upgrade, a WebSocket close
// (1013, "try again later", with the words) after it, so a node that is turned
// away logs the reason rather than "read ECONNRESET". Frames are limited to
// `maxPayload` bytes: ws refuses a bigger one from its header, before buffering it.
import type { IncomingMessage, Server } from 'node:http';
import { http } from '../builtins.ts';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { browserRefusal } from './browsers.ts';
import { ConnectionGuard, answerAndClose } from './guard.ts';
const { createServer } = http;

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
  /** The WebSocket of each connection that upgraded but has not proved itself yet. */
  const upgradedWaiting = new Map<Socket, WebSocket>();
  const turnAway = (socket: Socket, words: string) => {
    const ws = upgradedWaiting.get(socket);
    upgradedWaiting.delete(socket);
    if (!ws) {
      answerAndClose(socket, words, 'text');
      return;
    }
    // 1013: try again later. The close reason is at most 123 bytes.
    ws.close(1013, Buffer.from(words).subarray(0, 123).toString());
    setTimeout(() => ws.terminate(), 1_000).unref();
  };
  const guard = new ConnectionGuard(
    server,
    { maxWaiting: options.maxWaiting, maxWaitingPerAddress: options.maxWaitingPerAddress, deadlineMs: options.upgradeMs },
    (_reason, address, words) => options.onRefused(address, words),
    turnAway,
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
    // Turned away while its request was on the way: it was told why, and is not served.
    if (!guard.isWaiting(socket)) {
      socket.destroy();
      return;
    }
    guard.extend(socket, options.proveMs);
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgradedWaiting.set(socket, ws);
      socket.once('close', () => upgradedWaiting.delete(socket));
      options.onClient(ws, address, () => {
        upgradedWaiting.delete(socket);
        guard.settle(socket);
      });
    });
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
