// The TCP listener of a node in Erlang mode: each connection gets the accepting
// side of the handshake, and becomes an ErlangLink once the peer proved the cookie.
// A connection that does not (a wrong cookie, something that is no Erlang node, a
// web page's request) is closed, and `onRefused` says why. Strangers that keep the
// door busy without finishing their handshake are bounded: when `maxPending` are
// waiting, the oldest is closed, so a flood of idle connections never keeps a real
// node out (each also ends with the handshake time).
//
// Two ways to use it: with `onLink`, it runs every handshake with the same options;
// with `onSocket`, the caller runs each one (a net kernel answers each peer from its
// connection table: erlang/transport.ts) and says when it is `settled`.
import { createServer, type Socket } from 'node:net';
import { ErlangLink, type AcceptOptions } from './erlangLink.ts';

interface Door {
  /** The address to listen on: 127.0.0.1 for a node named for this host (nodeName.ts's listenAddressFor). */
  host: string;
  /** 0 (the default) takes a free port, which the node then registers with the port mapper. */
  port?: number;
  /** How many connections may be in their handshake at once. Default 64. */
  maxPending?: number;
}

export type ListenOptions = Door &
  (
    | (AcceptOptions & { onLink: (link: ErlangLink) => void; onRefused?: (reason: string, from: string) => void })
    | {
        /** A connection through the door: run its handshake, and call `settled` once it is over, either way. */
        onSocket: (socket: Socket, from: string, settled: () => void) => void;
      }
  );

export interface ErlangListener {
  readonly port: number;
  close(): Promise<void>;
}

export function listenErlang(options: ListenOptions): Promise<ErlangListener> {
  const pending = new Set<Socket>();
  const handle =
    'onSocket' in options
      ? options.onSocket
      : (socket: Socket, from: string, settled: () => void) =>
          ErlangLink.accept(socket, options).then(
            (link) => {
              settled();
              options.onLink(link);
            },
            (err: Error) => {
              settled();
              options.onRefused?.(err.message, from);
            },
          );
  const server = createServer((socket) => {
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    if (pending.size >= (options.maxPending ?? 64)) {
      const oldest = pending.values().next().value as Socket;
      pending.delete(oldest);
      oldest.destroy(new Error('too many connections in their handshake: the oldest is closed'));
    }
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
    handle(socket, from, () => pending.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        // Stops taking connections; the links already up stay theirs to close (so this does not wait for them).
        close: async () => {
          for (const socket of pending) socket.destroy();
          server.close();
        },
      });
    });
  });
}
