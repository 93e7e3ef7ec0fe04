// The port mapper (the kit's epmd): which node name listens on which port on
// this host. The first node on a host starts it; it exits on its own once no
// node has been registered for `idleMs`, so it never outlives a workshop.
import { WebSocketServer, type WebSocket } from 'ws';
import { epmdRequest, type EpmdReply } from './protocol.ts';

export interface EpmdServerOptions {
  port: number;
  host?: string;
  idleMs: number;
  /** Called when the idle time is up or a `kill` request came; the daemon exits there. */
  onIdle?: () => void;
  log?: (line: string) => void;
}

export interface EpmdServer {
  readonly port: number;
  names(): Array<{ name: string; port: number }>;
  close(): Promise<void>;
}

export function startEpmdServer(options: EpmdServerOptions): Promise<EpmdServer> {
  const log = options.log ?? (() => {});
  const names = new Map<string, { port: number; socket: WebSocket }>();
  let idleTimer: NodeJS.Timeout | undefined;
  const wss = new WebSocketServer({ port: options.port, host: options.host ?? '127.0.0.1', maxPayload: 64 * 1024 });

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

  wss.on('connection', (socket) => {
    let owned: string | undefined;
    const reply = (r: EpmdReply) => socket.send(JSON.stringify(r));
    socket.on('message', (data, isBinary) => {
      let parsed;
      try {
        parsed = epmdRequest.safeParse(isBinary ? undefined : JSON.parse(data.toString()));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        log('closing a connection that sent a malformed request');
        socket.close(1008, 'malformed request');
        return;
      }
      const req = parsed.data;
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
          owned = req.name;
          names.set(req.name, { port: req.port, socket });
          disarmIdle();
          log(`registered ${req.name} on port ${req.port}`);
          reply({ id: req.id, ok: true });
          return;
        }
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
  });

  return new Promise((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => {
      wss.off('error', reject);
      wss.on('error', (err) => log(`server error: ${err.message}`));
      armIdle();
      const address = wss.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : options.port,
        names: () => [...names].map(([name, v]) => ({ name, port: v.port })),
        close: () =>
          new Promise<void>((done) => {
            disarmIdle();
            for (const client of wss.clients) client.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}
