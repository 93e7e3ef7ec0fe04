// The kit's own protocol as the net kernel's transport (transport.ts): WebSockets
// behind the listener's door (edge/), the kit's port mapper (epmd/), the kit's
// handshake (handshake.ts: HMAC proofs and session keys) and connections that
// carry entries as JSON in batch frames with a MAC each (connection.ts,
// entryCodec.ts). The default for every node, and the only one browsers, the
// live view and the stages use.
import type { WebSocket } from 'ws';
import { Registration } from '../epmd/registration.ts';
import { throttled } from '../edge/throttle.ts';
import { listenWs } from '../edge/wsListener.ts';
import { log } from '../logger.ts';
import { parseNodeName } from '../nodeName.ts';
import type { NodeName } from '../terms.ts';
import { Connection } from './connection.ts';
import { lookUp, opened, openSocket } from './dialer.ts';
import type { Entry } from './entries.ts';
import { encodeEntry } from './entryCodec.ts';
import { MAX_WIRE_FRAME_BYTES } from './frames.ts';
import { HandshakeError, accept, initiate, type HandshakeOptions, type HandshakeResult } from './handshake.ts';
import type { Dialling, Established, Incoming, Outgoing, Transport, TransportOptions } from './transport.ts';

/** Connections that have not authenticated yet: at most this many at once, and this many from one address. */
const MAX_WAITING = 128;
const MAX_WAITING_PER_ADDRESS = 32;
/** How long a new TCP connection may take to ask for the WebSocket upgrade. */
const UPGRADE_MS = 5_000;

/** Listens on a free port and registers with the kit's port mapper (starting one if needed). */
export async function startKitTransport(options: TransportOptions): Promise<Transport> {
  const refusedLog = throttled((m) => log.warning(m));
  const handshake: HandshakeOptions = { self: options.name, creation: options.creation, cookie: options.cookie, timeoutMs: options.setupTimeMs };
  const established = (socket: WebSocket, result: HandshakeResult): Established => ({
    peer: result.peer,
    creation: result.creation,
    open: (handlers) =>
      new Connection(socket, result.peer, result.creation, handlers, { tickTimeMs: options.tickTimeMs, maxFrameBytes: options.maxFrameBytes, keys: result.keys }, result.leftovers),
  });
  let listener;
  try {
    listener = await listenWs({
      host: options.listenAddress,
      port: 0,
      maxPayload: MAX_WIRE_FRAME_BYTES,
      maxWaiting: MAX_WAITING,
      maxWaitingPerAddress: MAX_WAITING_PER_ADDRESS,
      upgradeMs: Math.min(UPGRADE_MS, options.setupTimeMs),
      proveMs: options.setupTimeMs,
      onClient: (ws, address, settle) => {
        ws.on('error', () => {});
        const incoming: Incoming = {
          from: address,
          accept: (hooks) => accept(ws, address, handshake, hooks).then((result) => established(ws, result)),
          settle,
          abandon: () => ws.terminate(),
        };
        options.incoming(incoming);
      },
      onRefused: (address, why) => refusedLog(`${address} ${why}`, `refused a connection from ${address}: ${why}`),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRNOTAVAIL' ? `this machine has no address ${options.listenAddress}` : (err as Error).message;
    throw new Error(`cannot start node ${options.name}: ${why}`);
  }
  let registration: Registration;
  try {
    registration = await Registration.start({
      port: options.epmdPort,
      alive: parseNodeName(options.name).alive,
      nodePort: listener.port,
      expose: options.exposed,
    });
  } catch (err) {
    await listener.close();
    throw new Error(`cannot start node ${options.name}: ${(err as Error).message}`);
  }
  const self = options.name;
  return {
    protocol: 'kit',
    port: listener.port,
    encode: (entry: Entry) => encodeEntry(entry) as unknown as Outgoing,
    // The connection dialled by the node with the smaller name wins.
    ourDialWins: (peer: NodeName) => self < peer,
    dial(node: NodeName, connected: (peer: NodeName) => boolean): Dialling {
      let socket: WebSocket | undefined;
      let abandoned = false;
      const done = (async () => {
        const target = await lookUp(node, (alive) => registration.lookup(alive), options.epmdPort);
        if (abandoned) throw new HandshakeError('abandoned');
        socket = openSocket(target, options.setupTimeMs);
        await opened(socket, target);
        if (abandoned) throw new HandshakeError('abandoned');
        return established(socket, await initiate(socket, node, handshake, { connected }));
      })();
      done.catch(() => socket?.terminate());
      return {
        done,
        abandon: () => {
          abandoned = true;
          socket?.terminate();
        },
      };
    },
    async stop() {
      await listener.close();
      await registration.stop();
    },
  };
}
