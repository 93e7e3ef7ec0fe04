// A node's side of the port mapper: register its name for as long as it lives,
// look up other nodes' ports. If no port mapper runs on this host, the first
// node starts one as a detached process, as Erlang's nodes start epmd.
import { spawn } from 'node:child_process';
import { WebSocket } from 'ws';
import { kitChildEnv, tsEntryArgs } from '../childProcess.ts';
import { refusalText } from '../edge/refusalText.ts';
import { untrusted } from '../logger.ts';
import { MAX_EPMD_FRAME_BYTES, epmdReply, type EpmdReply, type EpmdRequest } from './protocol.ts';

type Request = EpmdRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

const CONNECT_DEADLINE_MS = 10_000;
/** A port mapper answers at once; one that does not (or a program posing as one) is given up on. */
const REQUEST_TIMEOUT_MS = 5_000;

export class EpmdClient {
  private socket: WebSocket;
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: EpmdReply) => void; reject: (e: Error) => void }>();
  private closing = false;
  /** Called when the port mapper goes away while this client still needs it. */
  onLost: (() => void) | undefined;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const parsed = epmdReply.safeParse(safeJson(data.toString()));
      if (!parsed.success) return;
      const waiter = this.pending.get(parsed.data.id);
      this.pending.delete(parsed.data.id);
      waiter?.resolve(parsed.data);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      const why = reason.length ? `: ${untrusted(reason.toString(), 123)}` : '';
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the port mapper closed the connection (${code}${why})`));
      this.pending.clear();
      if (!this.closing) this.onLost?.();
    });
    socket.on('error', () => {});
  }

  /** Connects to the port mapper on `host:port`; with `autostart`, starts it here if none answers. */
  static async connect(port: number, options: { host?: string; autostart?: boolean } = {}): Promise<EpmdClient> {
    const host = options.host ?? '127.0.0.1';
    const deadline = Date.now() + CONNECT_DEADLINE_MS;
    let started = false;
    let delay = 20;
    for (;;) {
      try {
        return new EpmdClient(await open(`ws://${host}:${port}/`));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED' || !options.autostart) {
          throw new Error(`cannot reach the port mapper at ${host}:${port}: ${(err as Error).message}`);
        }
        if (!started) {
          startDaemon(port);
          started = true;
        }
        if (Date.now() > deadline) throw new Error(`started a port mapper on port ${port} but it did not answer within ${CONNECT_DEADLINE_MS} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 250);
      }
    }
  }

  /** One question to the port mapper at `host:port`, on a connection of its own. */
  static async ask<T>(port: number, host: string, question: (client: EpmdClient) => Promise<T>): Promise<T> {
    const client = await EpmdClient.connect(port, { host });
    try {
      return await question(client);
    } finally {
      client.close();
    }
  }

  private request(req: Request): Promise<EpmdReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== WebSocket.OPEN) {
        reject(new Error('the port mapper connection is closed'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the port mapper did not answer ${req.op} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.send(JSON.stringify({ ...req, id }));
    });
  }

  /**
   * Registers `name` at `port` for as long as this client stays connected; throws if the name is taken.
   * `expose`: addresses of this host the port mapper should listen on too, so other hosts find the node.
   */
  async register(name: string, port: number, expose: string[] = []): Promise<void> {
    const reply = await this.request({ op: 'register', name, port, ...(expose.length ? { expose } : {}) });
    if (!reply.ok) throw new RegistrationRefused(untrusted(reply.error ?? `the port mapper refused ${name}`, 300));
  }

  /** Gives up the name this connection registered (the port mapper answers once it has forgotten it). */
  async unregister(): Promise<void> {
    await this.request({ op: 'unregister' });
  }

  /** The port `name` listens on, or undefined if no node of that name is registered. */
  async lookup(name: string): Promise<number | undefined> {
    const reply = await this.request({ op: 'lookup', name });
    return reply.port ?? undefined;
  }

  async names(): Promise<Array<{ name: string; port: number }>> {
    return (await this.request({ op: 'names' })).names ?? [];
  }

  /** The OS process id of the port mapper (for tests and `distsys epmd`). */
  async pid(): Promise<number | undefined> {
    const reply = await this.request({ op: 'info' });
    if (!reply.ok) throw new Error(untrusted(reply.error ?? 'the port mapper refused to say', 300));
    return reply.pid;
  }

  /**
   * Asks the port mapper to exit now (like `epmd -kill`). It refuses while any node is registered
   * (as Erlang's epmd does): then this throws a PortMapperInUse that names them.
   */
  async kill(): Promise<void> {
    const reply = await this.request({ op: 'kill' });
    if (reply.ok) return;
    const error = untrusted(reply.error ?? 'the port mapper refused to stop', 300);
    if (reply.names?.length) throw new PortMapperInUse(error, reply.names.map((n) => n.name));
    throw new Error(error);
  }

  /**
   * Stops the port mapper on `port` of this host once no node uses it, waiting up to `withinMs`
   * for nodes that are leaving (one killed a moment ago is still registered until its socket closes).
   * Resolves whether it stopped; quietly if none runs.
   */
  static async stopUnused(port: number, withinMs = 2_000): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      try {
        await EpmdClient.ask(port, '127.0.0.1', (c) => c.kill());
        return true;
      } catch (err) {
        if (!(err instanceof PortMapperInUse) || Date.now() > deadline) return false;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Closes the connection (the port mapper forgets the name it holds); resolves once it is closed. */
  close(): Promise<void> {
    this.closing = true;
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 1_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.socket.close();
    return closed;
  }
}

/** The port mapper answered a registration with no (the name is taken, say): asking again changes nothing. */
export class RegistrationRefused extends Error {
  override name = 'RegistrationRefused';
}

/** The port mapper refused `kill`: nodes are registered with it. */
export class PortMapperInUse extends Error {
  override name = 'PortMapperInUse';
  readonly names: string[];
  constructor(message: string, names: string[]) {
    super(message);
    this.names = names;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { handshakeTimeout: 5_000, maxPayload: MAX_EPMD_FRAME_BYTES, perMessageDeflate: false });
    socket.once('open', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
    // The port mapper's full door turned us away before the upgrade: it says why.
    socket.once('unexpected-response', (_req, res) => {
      void refusalText(res).then((why) => {
        reject(new Error(`the port mapper turned the connection away (HTTP ${res.statusCode})${why ? `: ${why}` : ''}`));
        socket.terminate();
      });
    });
  });
}

function startDaemon(port: number): void {
  const child = spawn(process.execPath, tsEntryArgs(new URL('./daemon.ts', import.meta.url)), {
    detached: true,
    stdio: 'ignore',
    // A detached process gets a console window of its own on Windows: keep it hidden.
    windowsHide: true,
    env: { ...process.env, ...kitChildEnv(), DISTSYS_EPMD_PORT: String(port) },
  });
  child.on('error', () => {});
  child.unref();
}
