// The first half of dialling a node: ask the port mapper of the node's host
// where it listens, and open a WebSocket there. Every failure is a DialError
// in words a person can act on ("no node named ben is registered", "cannot be
// reached from here: a firewall, a VPN or Wi-Fi isolation?"); the handshake
// comes after (handshake.ts).
import { WebSocket } from 'ws';
import { EpmdClient } from '../epmd/client.ts';
import { refusalText } from '../edge/refusalText.ts';
import { addressOf, isThisHost, parseNodeName } from '../nodeName.ts';
import type { NodeName } from '../terms.ts';
import { MAX_WIRE_FRAME_BYTES } from './frames.ts';

class DialError extends Error {
  override name = 'DialError';
}

export interface DialTarget {
  readonly url: string;
  /** host:port, for messages. */
  readonly address: string;
}

/** Where `node` listens: this host's port mapper answers through `lookupHere`, another host's is asked on `epmdPort`. */
export async function lookUp(node: NodeName, lookupHere: (alive: string) => Promise<number | undefined>, epmdPort: number): Promise<DialTarget> {
  const { alive, host } = parseNodeName(node);
  let port: number | undefined;
  try {
    port = isThisHost(host) ? await lookupHere(alive) : await EpmdClient.ask(epmdPort, addressOf(host), (c) => c.lookup(alive));
  } catch (err) {
    throw new DialError((err as Error).message);
  }
  if (port === undefined) throw new DialError(`no node named ${alive} is registered with the port mapper on ${host}`);
  return { url: `ws://${addressOf(host)}:${port}/`, address: `${addressOf(host)}:${port}` };
}

/** A WebSocket to `target`, reading frames of the wire's size only (larger ones come in chunks). */
export function openSocket(target: DialTarget, setupTimeMs: number): WebSocket {
  const socket = new WebSocket(target.url, {
    maxPayload: MAX_WIRE_FRAME_BYTES,
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: setupTimeMs,
  });
  socket.on('error', () => {}); // reported through `opened`, the handshake or the connection
  return socket;
}

/** Resolves once `socket` is open; rejects with a DialError that says why it could not be. */
export function opened(socket: WebSocket, target: DialTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', (err: NodeJS.ErrnoException) => reject(new DialError(describe(err, target.address))));
    socket.once('close', () => reject(new DialError(`${target.address} closed the connection before it opened`)));
    // An answer instead of the upgrade: a listener's full door says why it turned us away.
    socket.once('unexpected-response', (_req, res) => {
      void refusalText(res).then((why) => {
        reject(new DialError(`${target.address} turned the connection away (HTTP ${res.statusCode})${why ? `: ${why}` : ''}`));
        socket.terminate();
      });
    });
  });
}

function describe(err: NodeJS.ErrnoException, address: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `nothing listens at ${address} (the node may have just stopped)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${address} cannot be reached from here (${err.code}: a firewall, a VPN or Wi-Fi isolation?)`;
    case 'ETIMEDOUT':
      return `${address} did not answer (${err.code}: a firewall dropping packets?)`;
    default:
      return `${address}: ${err.message}`;
  }
}
