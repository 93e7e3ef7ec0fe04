// The port mapper (the kit's epmd): which node name listens on which port on
// this host. The first node on a host starts it; it exits on its own once no
// node has been registered for `idleMs`, so it never outlives a workshop.
//
// It listens on loopback, and also on each address a registering node asks it
// to expose (a node named `chris@10.0.0.5` exposes 10.0.0.5), so other hosts
// can look that node up. Anyone who reaches it may look up names; only a
// program on this host may register one, ask for its pid or stop it, and no web
// page may do anything (see edge/). A connection that has not registered a
// name within `proveMs` is closed: lookups are one quick question each.
//
// It cannot be stopped while it serves nodes: `kill` is refused while any name
// is registered, as Erlang's epmd refuses it. Otherwise any program of any user
// of the machine could stop it and take its port, and answer the nodes'
// lookups itself (with a relay of its own).
import { WebSocket } from 'ws';
import { listenWs, type WsListener } from '../edge/wsListener.ts';
import { MAX_EPMD_FRAME_BYTES, epmdRequest, type EpmdReply } from './protocol.ts';

export interface EpmdServerOptions {
  port: number;
  host?: string;
  idleMs: number;
  /** How long a connection that registers no name may stay open. Default 5 s. */
  proveMs?: number;
  /** Called when the idle time is up or a `kill` request came; the daemon exits there. */
  onIdle?: () => void;
  log?: (line: string) => void;
}

export interface EpmdServer {
  readonly port: number;
  names(): Array<{ name: string; port: number }>;
  /** The addresses it listens on. */
  addresses(): string[];
  close(): Promise<void>;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** Whether a connection comes from this host. */
function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export async function startEpmdServer(options: EpmdServerOptions): Promise<EpmdServer> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const names = new Map<string, { port: number; socket: WebSocket }>();
  const listeners = new Map<string, WsListener>();
  let idleTimer: NodeJS.Timeout | undefined;

  const armIdle = () => {
    if (idleTimer || names.size > 0) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (names.size === 0) {
        log(`no node registered for ${options.idleMs} ms: exiting`);
        options.onIdle?.();
      }
    }, options.idleMs);
  };
  const disarmIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
  };

  const client = (socket: WebSocket, address: string, settle: () => void) => {
    let owned: string | undefined;
    const local = isLoopback(address);
    const reply = (r: EpmdReply) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(r));
    };
    socket.on('message', (data, isBinary) => {
      let parsed;
      try {
        parsed = epmdRequest.safeParse(isBinary ? undefined : JSON.parse(data.toString()));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        log(`closing a connection from ${address} that sent a malformed request`);
        socket.close(1008, 'malformed request');
        return;
      }
      const req = parsed.data;
      if ((req.op === 'register' || req.op === 'kill' || req.op === 'info') && !local) {
        log(`refused ${req.op} from ${address}: only programs on this host may ${req.op === 'register' ? 'register a name' : req.op === 'kill' ? 'stop the port mapper' : 'ask that'}`);
        reply({ id: req.id, ok: false, error: `${req.op} is only for programs on the port mapper's own host` });
        return;
      }
      switch (req.op) {
        case 'register': {
          const holder = names.get(req.name);
          if (holder) {
            reply({ id: req.id, ok: false, error: `the name ${req.name} is already taken on this host (by the node on port ${holder.port})` });
            return;
          }
          if (owned !== undefined) {
            reply({ id: req.id, ok: false, error: `this connection already registered ${owned}` });
            return;
          }
          void expose(req.expose ?? []).then(
            () => {
              if (socket.readyState !== WebSocket.OPEN || names.has(req.name)) {
                reply({ id: req.id, ok: false, error: `the name ${req.name} is already taken on this host` });
                return;
              }
              owned = req.name;
              names.set(req.name, { port: req.port, socket });
              settle();
              disarmIdle();
              log(`registered ${req.name} on port ${req.port}`);
              reply({ id: req.id, ok: true });
            },
            (err: Error) => reply({ id: req.id, ok: false, error: err.message }),
          );
          return;
        }
        case 'unregister':
          // A node that stops gives its name up before it hangs up, so it can be taken again at once.
          if (owned !== undefined && names.get(owned)?.socket === socket) {
            names.delete(owned);
            log(`unregistered ${owned}`);
            armIdle();
          }
          owned = undefined;
          reply({ id: req.id, ok: true });
          return;
        case 'lookup':
          reply({ id: req.id, ok: true, port: names.get(req.name)?.port ?? null });
          return;
        case 'names':
          reply({ id: req.id, ok: true, names: [...names].map(([name, v]) => ({ name, port: v.port })) });
          return;
        case 'info':
          reply({ id: req.id, ok: true, pid: process.pid });
          return;
        case 'kill':
          if (names.size > 0) {
            const held = [...names.keys()];
            log(`refused kill from ${address}: ${held.length} node(s) registered`);
            reply({
              id: req.id,
              ok: false,
              error:
                `the port mapper serves ${held.length} node${held.length === 1 ? '' : 's'} (${held.slice(0, 5).join(', ')}${held.length > 5 ? ', …' : ''}): ` +
                `it is not stopped while a node uses it; it exits by itself ${Math.round(options.idleMs / 1000)} s after the last one leaves`,
              names: held.map((name) => ({ name, port: names.get(name)?.port ?? 0 })),
            });
            return;
          }
          reply({ id: req.id, ok: true });
          log('killed on request');
          options.onIdle?.();
          return;
      }
    });
    socket.on('close', () => {
      if (owned !== undefined && names.get(owned)?.socket === socket) {
        names.delete(owned);
        log(`unregistered ${owned}`);
        armIdle();
      }
    });
    socket.on('error', () => socket.terminate());
  };

  const listen = (address: string, port: number) =>
    listenWs({
      host: address,
      port,
      maxPayload: MAX_EPMD_FRAME_BYTES,
      maxWaiting: 128,
      maxWaitingPerAddress: 32,
      upgradeMs: 5_000,
      proveMs: options.proveMs ?? 5_000,
      onClient: client,
      onRefused: (from, why) => log(`refused a connection from ${from}: ${why}`),
    });

  /** Listens on each of `addresses` as well (same port), unless it does already. */
  const expose = async (addresses: string[]) => {
    for (const address of addresses) {
      if (listeners.has(address) || WILDCARDS.has(host) || isLoopback(address)) continue;
      try {
        listeners.set(address, await listen(address, port));
        log(`listening on ${address}:${port} as well, for other hosts`);
      } catch (err) {
        throw new Error(`the port mapper cannot listen on ${address}:${port} for other hosts: ${(err as Error).message}`);
      }
    }
  };

  const main = await listen(host, options.port);
  const port = main.port;
  listeners.set(host, main);
  armIdle();
  return {
    port,
    names: () => [...names].map(([name, v]) => ({ name, port: v.port })),
    addresses: () => [...listeners.keys()],
    close: async () => {
      disarmIdle();
      await Promise.all([...listeners.values()].map((l) => l.close()));
    },
  };
}
