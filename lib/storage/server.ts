// The storage's HTTP face: POST /command with a JSON body, one command each.
// Commands run one at a time on the event loop, and each answer leaves only
// after its change is in the journal. Bad input of any kind is an error answer
// with a message, never a crash: the storage outlives the nodes that misuse it.
//
// At its door: a request from a web page (it carries `Origin`) is refused, and
// so is one without the storage's token; a body over the limit is refused as
// soon as it is known to be, without reading the rest; connections are counted
// per address (a full door closes the oldest, telling it why), and slow ones time out.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import { browserRefusal } from '../edge/browsers.ts';
import { ConnectionGuard } from '../edge/guard.ts';
import { hangUpAfter } from '../edge/hangUp.ts';
import { COMMAND_PATH, MAX_BODY_BYTES, parseRequest, storageUrl, type StorageReply } from './protocol.ts';
import { openStore } from './store.ts';
import { authorized, loadOrCreateToken } from './token.ts';

/** Connections that have not sent a request yet: at most this many, this many from one address, for this long. */
const MAX_WAITING = 1024;
const MAX_WAITING_PER_ADDRESS = 256;
const FIRST_REQUEST_MS = 10_000;

export interface StorageServerOptions {
  /** The directory of the journal (created if missing). */
  dir: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Default 127.0.0.1: the storage is for this machine's nodes. */
  host?: string;
  maxBodyBytes?: number;
  /** The most data it holds (characters of keys and values). */
  maxDataBytes?: number;
  /** The token clients must send; by default the one kept in `dir` (made there the first time). */
  token?: string;
  log?: (line: string) => void;
}

export interface StorageServer {
  /** Where clients reach it, token included, e.g. http://distsys:TOKEN@127.0.0.1:40211 */
  readonly url: string;
  /** The same for other hosts, when it listens on every interface. */
  readonly otherUrls: string[];
  readonly port: number;
  /** Stops listening, lets the commands in progress finish, and closes the journal. */
  close(): Promise<void>;
}

export async function startStorageServer(options: StorageServerOptions): Promise<StorageServer> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  // Replay before listening, so the first answer already sees every old write.
  const store = openStore(options.dir, {
    warn: (line) => log(`warning: ${line}`),
    ...(options.maxDataBytes !== undefined ? { maxDataBytes: options.maxDataBytes } : {}),
  });
  let token: string;
  try {
    token = loadOrCreateToken(options.dir, options.token);
  } catch (err) {
    store.close();
    throw err;
  }

  const answer = (res: ServerResponse, status: number, reply: StorageReply, close = false) => {
    const body = JSON.stringify(reply);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(close ? { connection: 'close' } : {}) });
    res.end(body);
  };
  /** Answers and hangs up, keeping none of the body: it may be large, and it is not wanted. */
  const turnAway = (req: IncomingMessage, res: ServerResponse, status: number, error: string) => {
    answer(res, status, { ok: false, error }, true);
    hangUpAfter(req, res);
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
    // Turned away at the door (guard.ts) just before its request came in: it was told so, and nothing runs.
    if (req.socket.writableEnded) return;
    const refusal = browserRefusal(req.headers);
    if (refusal) {
      log(`refused a request from ${req.socket.remoteAddress}: ${refusal}`);
      turnAway(req, res, 403, `the storage does not answer web pages: ${refusal}`);
      return;
    }
    if (!authorized(req.headers.authorization, token)) {
      turnAway(req, res, 401, 'the storage needs its token: use the whole URL `distsys storage` printed (http://distsys:TOKEN@host:port)');
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (path !== COMMAND_PATH || req.method !== 'POST') {
      const status = path !== COMMAND_PATH ? 404 : 405;
      turnAway(req, res, status, `the storage answers POST ${COMMAND_PATH} only, not ${req.method} ${path}`);
      return;
    }
    const tooLarge = (size: number | string) => `the request body is ${size} bytes, more than the limit of ${maxBodyBytes} bytes`;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      turnAway(req, res, 413, tooLarge(declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) {
        chunks.push(chunk);
        return;
      }
      // Over the limit: answer now, and keep none of the rest.
      if (!res.headersSent) turnAway(req, res, 413, tooLarge(`more than ${maxBodyBytes}`));
    });
    req.on('end', () => {
      if (size > maxBodyBytes) return;
      try {
        handle(Buffer.concat(chunks), res);
      } catch (err) {
        log(`error: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) answer(res, 500, { ok: false, error: `internal error: ${(err as Error).message}` });
      }
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // A connection must send its first request in time (then the HTTP timeouts take over: slow
  // requests and idle keep-alive connections end), and too many waiting ones are turned away.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const guard = new ConnectionGuard(
    server,
    { maxWaiting: MAX_WAITING, maxWaitingPerAddress: MAX_WAITING_PER_ADDRESS, deadlineMs: FIRST_REQUEST_MS, waitsFor: 'request' },
    (_reason, address, words) => log(`refused a connection from ${address}: ${words}`),
  );
  server.on('request', (req: IncomingMessage) => guard.settle(req.socket));

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
  const origin = (h: string) => `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
  const url = storageUrl(origin(host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host), token);
  const otherUrls =
    host === '0.0.0.0' || host === '::'
      ? Object.values(networkInterfaces())
          .flat()
          .filter((a) => a && !a.internal && (host === '::' || a.family === 'IPv4'))
          .map((a) => storageUrl(origin((a as { address: string }).address), token))
      : [];
  log(`listening on ${origin(host)}, journal in ${options.dir}`);

  let closed: Promise<void> | undefined;
  return {
    url,
    otherUrls,
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
