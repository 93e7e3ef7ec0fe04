// The storage's HTTP face: POST /command with a JSON body, one command each.
// Commands run one at a time on the event loop, and each answer leaves only
// after its change is in the journal. Bad input of any kind is a 400 with a
// message, never a crash: the storage outlives the nodes that misuse it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { COMMAND_PATH, MAX_BODY_BYTES, parseRequest, type StorageReply } from './protocol.ts';
import { openStore } from './store.ts';

export interface StorageServerOptions {
  /** The directory of the journal (created if missing). */
  dir: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Default 127.0.0.1: the storage is for this machine's nodes. */
  host?: string;
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface StorageServer {
  /** Where clients reach it, e.g. http://127.0.0.1:40211 */
  readonly url: string;
  readonly port: number;
  /** Stops listening, lets the commands in progress finish, and closes the journal. */
  close(): Promise<void>;
}

export async function startStorageServer(options: StorageServerOptions): Promise<StorageServer> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  // Replay before listening, so the first answer already sees every old write.
  const store = openStore(options.dir, { warn: (line) => log(`warning: ${line}`) });

  const answer = (res: ServerResponse, status: number, reply: StorageReply) => {
    const body = JSON.stringify(reply);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = (body: Buffer, res: ServerResponse) => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(body.toString('utf8'));
    } catch (err) {
      answer(res, 400, { ok: false, error: `the request body is not valid JSON (${(err as Error).message}); send { "command": "get", "args": ["key"] }` });
      return;
    }
    const parsed = parseRequest(decoded);
    if (!parsed.ok) {
      answer(res, 400, parsed);
      return;
    }
    let reply: StorageReply;
    try {
      reply = store.execute(parsed.request);
    } catch (err) {
      // The journal could not be written: the change was not made, and we say so.
      log(`error: ${parsed.request.command}: ${(err as Error).message}`);
      answer(res, 500, { ok: false, error: `${parsed.request.command}: ${(err as Error).message}` });
      return;
    }
    answer(res, reply.ok ? 200 : 400, reply);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.on('error', () => {}); // a client that hangs up mid-request is its own problem
    const path = (req.url ?? '').split('?')[0];
    if (path !== COMMAND_PATH || req.method !== 'POST') {
      req.resume();
      const status = path !== COMMAND_PATH ? 404 : 405;
      answer(res, status, { ok: false, error: `the storage answers POST ${COMMAND_PATH} only, not ${req.method} ${path}` });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // An oversized body is read to its end and dropped, not buffered: the
    // client then gets its 400 instead of a connection reset mid-upload.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBodyBytes) {
        answer(res, 400, { ok: false, error: `the request body is ${size} bytes, more than the limit of ${maxBodyBytes} bytes` });
        return;
      }
      try {
        handle(Buffer.concat(chunks), res);
      } catch (err) {
        log(`error: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) answer(res, 500, { ok: false, error: `internal error: ${(err as Error).message}` });
      }
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    store.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${options.port} on ${host} is already in use`);
    throw new Error(`cannot listen on ${host}:${options.port ?? 0}: ${(err as Error).message}`);
  }
  server.on('error', (err) => log(`error: ${err.message}`));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`listening on ${url}, journal in ${options.dir}`);

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        // A client that keeps a connection busy gets a moment, not forever.
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        server.close(() => {
          clearTimeout(force);
          store.close();
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
