// The kit's own EPMD, speaking Erlang's binary protocol, for hosts where no epmd
// runs (see portMapper.ts for when it is used). It answers as Erlang's epmd does,
// so `erl`, `iex` and `epmd -names` work with it:
// - ALIVE2_REQ registers a name for as long as that connection stays open, and only
//   from this host; a name already registered is refused; each registration of a
//   name gets a fresh creation;
// - PORT_PLEASE2_REQ and NAMES_REQ answer anyone who reaches it, then close;
// - KILL_REQ (from this host) is refused with "NO" while names are registered, and
//   STOP_REQ is always refused, as Erlang's epmd does without -relaxed_command_check:
//   no one can unregister a live node or pull the port mapper from under it;
// - anything else (an unknown request, an HTTP request from a web page, a request
//   over 1 KiB, a connection that says nothing for `requestTimeoutMs`) is closed.
// It listens on loopback, plus the addresses it is given (a node named for one).
import { createServer, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { EPMD, EpmdProtocolError, alive2Response, namesResponse, port2Response, readNodeInfo, type EpmdNodeInfo } from './epmdProtocol.ts';

/** Erlang's epmd reads requests into a 1 KiB buffer: no request is longer. */
const MAX_REQUEST_BYTES = 1024;

export interface ErlangEpmdOptions {
  port: number;
  /** Addresses to listen on besides 127.0.0.1. */
  addresses?: string[];
  /** Called once no name has been registered for this long (the daemon exits there). Default: never. */
  idleMs?: number;
  onIdle?: () => void;
  /** Called after a KILL_REQ was accepted. */
  onKill?: () => void;
  /** How long a connection may take to send its request. Default 5000 ms. */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ErlangEpmdServer {
  readonly port: number;
  names(): Array<{ name: string; port: number }>;
  close(): Promise<void>;
}

function isLocalPeer(socket: Socket): boolean {
  const remote = socket.remoteAddress ?? '';
  if (remote === '::1' || remote.startsWith('127.') || remote.startsWith('::ffff:127.')) return true;
  // As epmd: a connection from this host's own address (the one it reached us on) is local too.
  return remote !== '' && remote === socket.localAddress;
}

export async function startErlangEpmdServer(options: ErlangEpmdOptions): Promise<ErlangEpmdServer> {
  const log = options.log ?? (() => {});
  const registered = new Map<string, { info: EpmdNodeInfo; socket: Socket }>();
  const lastCreation = new Map<string, number>();
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let port = options.port;
  let idleTimer: NodeJS.Timeout | undefined;

  const armIdle = () => {
    if (options.idleMs === undefined || idleTimer || registered.size > 0) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (registered.size === 0) options.onIdle?.();
    }, options.idleMs);
    idleTimer.unref();
  };
  const disarmIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
  };

  const freshCreation = (name: string): number => {
    let creation: number;
    do creation = randomInt(1, 2 ** 32 - 1);
    while (creation === lastCreation.get(name));
    lastCreation.set(name, creation);
    return creation;
  };

  const unregister = (socket: Socket) => {
    for (const [name, entry] of registered) {
      if (entry.socket !== socket) continue;
      registered.delete(name);
      log(`unregistered ${name}`);
    }
    armIdle();
  };

  const handle = (socket: Socket, body: Buffer): void => {
    switch (body[0]) {
      case EPMD.ALIVE2_REQ: {
        if (!isLocalPeer(socket)) {
          log(`refused ALIVE2_REQ from ${socket.remoteAddress}: names are registered only from this host`);
          socket.destroy();
          return;
        }
        let info: EpmdNodeInfo;
        try {
          info = readNodeInfo(body, 1);
        } catch (err) {
          log(`malformed ALIVE2_REQ: ${(err as Error).message}`);
          socket.destroy();
          return;
        }
        if (registered.has(info.name) || [...info.name].length > 255) {
          socket.end(alive2Response(1, 0));
          return;
        }
        registered.set(info.name, { info, socket });
        disarmIdle();
        socket.setTimeout(0);
        log(`registered ${info.name} at port ${info.port}`);
        // The node stays registered while this connection lives; anything more it sends ends it, as in epmd.
        socket.on('data', () => socket.destroy());
        socket.once('close', () => unregister(socket));
        socket.write(alive2Response(0, freshCreation(info.name)));
        return;
      }
      case EPMD.PORT_PLEASE2_REQ: {
        const name = body.subarray(1).toString('utf8').replace(/\0$/, '');
        socket.end(port2Response(registered.get(name)?.info));
        return;
      }
      case EPMD.NAMES_REQ:
        socket.end(namesResponse(port, [...registered.values()].map(({ info }) => ({ name: info.name, port: info.port }))));
        return;
      case EPMD.KILL_REQ:
        if (!isLocalPeer(socket)) {
          socket.destroy();
          return;
        }
        if (registered.size > 0) {
          log(`refused KILL_REQ: ${registered.size} name(s) registered`);
          socket.end('NO');
          return;
        }
        socket.end('OK', () => options.onKill?.());
        return;
      case EPMD.STOP_REQ:
        log('refused STOP_REQ: a live node is never unregistered by someone else');
        socket.destroy();
        return;
      default:
        // DUMP_REQ (a debugging aid) and anything unknown.
        socket.destroy();
    }
  };

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setTimeout(options.requestTimeoutMs ?? 5_000, () => socket.destroy());
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 2) return;
      const size = got.readUInt16BE(0);
      if (size === 0 || size > MAX_REQUEST_BYTES) {
        socket.destroy();
        return;
      }
      if (got.length < 2 + size) return;
      socket.off('data', onData);
      if (got.length > 2 + size) {
        socket.destroy(); // one request per connection
        return;
      }
      try {
        handle(socket, got.subarray(2));
      } catch (err) {
        log(`bad request: ${(err as EpmdProtocolError).message}`);
        socket.destroy();
      }
    };
    socket.on('data', onData);
  };

  const listen = (host: string) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer(onConnection);
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        if (typeof address === 'object' && address) port = address.port;
        resolve(server);
      });
    });

  try {
    servers.push(await listen('127.0.0.1'));
    for (const address of options.addresses ?? []) if (address !== '127.0.0.1') servers.push(await listen(address));
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
  armIdle();

  return {
    get port() {
      return port;
    },
    names: () => [...registered.values()].map(({ info }) => ({ name: info.name, port: info.port })),
    close: async () => {
      disarmIdle();
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
