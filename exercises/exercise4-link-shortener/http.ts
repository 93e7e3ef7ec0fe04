// The shortener's HTTP API, on node:http (given: nothing to change here). Stage 4
// serves it as it is; stage 5 gives it its redirect counts (`counts`, from aggregates.ts).
//
//   POST /                    url=<address> (a form, as `curl -d url=…` sends) or {"url": "<address>"} (JSON)
//                             201, body the code, Location the short link
//   GET  /<code>              302, Location the url, body the url; 404 for an unknown code.
//                             With counts, each 302 counts one redirect of the code on this node (recordRedirect)
//   GET  /<code>/aggregates   with counts only: 200, "Redirects: N" as text, or {"code": …, "redirects": N}
//                             with Accept: application/json; N is what this node's table holds (countFor)
//   GET  /                    200, a line saying how to use it
//
// Everything else is refused with a status and a message that says why: 422 for
// a missing url or one that is not an absolute http(s) url, 413 for a body over
// 8 KiB (refused before it is read), 415 for another content type, 400 for
// broken JSON, 405 (with Allow) for another method, 404 for another path, 503
// when the store or a link's owner cannot be reached. A request from a web page
// (one that carries an Origin header) is refused with 403: a page open in the
// browser can reach 127.0.0.1, so it could create links here behind your back.
// Following a short link in the browser still works: a navigation sends no Origin.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { Node, StorageError } from '../../lib/index.ts';
import { browserRefusal } from '../../lib/edge/browsers.ts';
import { ConnectionGuard } from '../../lib/edge/guard.ts';
import { hangUpAfter } from '../../lib/edge/hangUp.ts';
import { CODE_PATTERN } from './shortCode.ts';
import type { Created, Found } from '#stage/exercise4-link-shortener/linkManager.ts';

/** The largest request body read; a larger one is refused with 413. */
export const MAX_BODY_BYTES = 8 * 1024;

/** What the API runs: one pair of functions per replication design (see shortener.ts). */
export interface Links {
  create(url: string): Promise<Created>;
  resolve(code: string): Promise<Found>;
}

/** How the API counts redirects (stage 5's aggregates.ts). */
export interface Counts {
  recordRedirect(code: string): void;
  countFor(code: string): number;
}

export interface HttpOptions {
  /** 0 takes a free port. */
  port: number;
  /** Default 127.0.0.1: the shortener is for this machine. */
  host?: string;
  links: Links;
  /** Stage 5: count each redirect, and serve GET /<code>/aggregates. */
  counts?: Counts;
}

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

class Refusal extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const absoluteHttpUrl = z
  .string({ error: 'the url must be a string' })
  .trim()
  .min(1, 'the url is empty')
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text.slice(0, 200))} is not an absolute url (it needs a scheme and a host, like https://example.com/page)` });
      return z.NEVER;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text.slice(0, 200))} is a ${url.protocol} url; only http and https urls can be shortened` });
      return z.NEVER;
    }
    if (url.hostname === '') {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text.slice(0, 200))} has no host` });
      return z.NEVER;
    }
    // The normal form, so https://Example.com and https://example.com/ share one code.
    return url.href;
  });

/** The url a POST asks to shorten, in its normal form; throws a Refusal that says what is wrong. */
function urlFromBody(contentType: string | undefined, body: string): string {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  let field: unknown;
  if (type === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (err) {
      throw new Refusal(400, `the body is not valid JSON (${(err as Error).message}); send {"url": "https://…"}`);
    }
    field = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { url?: unknown }).url : undefined;
  } else if (type === 'application/x-www-form-urlencoded' || (type === '' && body === '')) {
    field = new URLSearchParams(body).get('url') ?? undefined;
  } else {
    throw new Refusal(415, `a body of type ${type || 'unknown'} cannot be read; send a form (curl -d url=https://…) or JSON {"url": "https://…"}`);
  }
  if (field === undefined) throw new Refusal(422, 'the request has no url: send url=https://… as a form field, or {"url": "https://…"} as JSON');
  const parsed = absoluteHttpUrl.safeParse(field);
  if (!parsed.success) throw new Refusal(422, `cannot shorten this: ${parsed.error.issues[0]?.message ?? 'not a url'}`);
  return parsed.data;
}

/** Reads the body, refusing one over the limit as soon as its size is known (unread). */
function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new Refusal(413, `the body is ${declared} bytes, more than the limit of ${MAX_BODY_BYTES}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.pause();
        reject(new Refusal(413, `the body is more than the limit of ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The short link of `code`, at the address this server serves: never built from the request's
 * Host header, which any client sets to what it likes (and a link is handed on to others).
 */
function shortLink(host: string, port: number, code: string): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/${code}`;
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'x-distsys-node': Node.self(),
    ...headers,
  });
  res.end(body);
}

/** Whether the client asked for JSON (Accept: application/json, among others or alone). */
function wantsJson(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === 'application/json');
}

const AGGREGATES_PATH = /^\/([A-Za-z0-9_-]{6})\/aggregates$/;

async function route(req: IncomingMessage, res: ServerResponse, { links, counts }: HttpOptions, host: string, port: number): Promise<void> {
  const refusal = browserRefusal(req.headers);
  if (refusal) throw new Refusal(403, `the shortener does not answer web pages: ${refusal}`);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? 'GET';
  if (path === '/') {
    if (method === 'POST') {
      const url = urlFromBody(req.headers['content-type'], await readBody(req));
      const created = await links.create(url);
      if ('ok' in created) return reply(res, 201, created.ok, { location: shortLink(host, port, created.ok) });
      if (created.error === 'taken') throw new Refusal(422, `cannot shorten ${url}: each of its candidate codes already belongs to another url`);
      throw new Refusal(503, `nodedown: the node that owns this link cannot be reached (the link is stored; try again once the network is back)`);
    }
    const counting = counts ? ', GET /<code>/aggregates counts its redirects' : '';
    if (method === 'GET' || method === 'HEAD') return reply(res, 200, `distsys link shortener on ${Node.self()}: POST / with url=https://… shortens it, GET /<code> follows it${counting}\n`);
    throw new Refusal(405, `${method} / is not allowed: POST / shortens a url`);
  }
  const aggregates = counts ? AGGREGATES_PATH.exec(path)?.[1] : undefined;
  if (counts && aggregates !== undefined) {
    if (method !== 'GET' && method !== 'HEAD') throw new Refusal(405, `${method} ${path} is not allowed: GET ${path} reads the link's redirect count`);
    const redirects = counts.countFor(aggregates);
    if (wantsJson(req.headers.accept)) return reply(res, 200, `${JSON.stringify({ code: aggregates, redirects })}\n`, { 'content-type': 'application/json' });
    return reply(res, 200, `Redirects: ${redirects}\n`);
  }
  const code = path.slice(1);
  if (!CODE_PATTERN.test(code)) throw new Refusal(404, `there is nothing at ${path.slice(0, 100)}: a short link is /<code>, 6 characters of A-Z a-z 0-9 - _${counts ? ', and its count /<code>/aggregates' : ''}`);
  if (method !== 'GET' && method !== 'HEAD') throw new Refusal(405, `${method} ${path} is not allowed: GET ${path} follows the link`);
  const found = await links.resolve(code);
  if ('ok' in found) {
    if (method === 'GET') counts?.recordRedirect(code); // a HEAD only asks where it leads
    return reply(res, 302, found.ok, { location: found.ok });
  }
  throw new Refusal(404, `no link has the code ${code}`);
}

/** Why a request failed, as an answer: a Refusal says so itself; a store out of reach is 503; anything else 500. */
function failure(err: unknown): { status: number; message: string; close: boolean } {
  if (err instanceof Refusal) return { status: err.status, message: err.message, close: err.status === 413 || err.status === 403 };
  if (err instanceof StorageError) return { status: 503, message: `the store cannot be used right now: ${(err as Error).message}`, close: false };
  return { status: 500, message: `the shortener failed: ${(err as Error)?.message ?? String(err)}`, close: false };
}

const ALLOW: Record<string, string> = { '/': 'GET, HEAD, POST' };

/** Serves the API on `options.port` (0: a free one) and resolves once it listens. */
export async function serveHttp(options: HttpOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port;
  const server = createServer((req, res) => {
    req.on('error', () => {}); // a client that hangs up mid-request is its own problem
    route(req, res, options, host, port).catch((err: unknown) => {
      const { status, message, close } = failure(err);
      if (status >= 500) console.error(`[${Node.self()}] shortener: ${req.method} ${req.url?.slice(0, 100)}: ${message}`);
      const path = (req.url ?? '/').split('?')[0];
      const headers: Record<string, string> = {};
      if (status === 405) headers.allow = ALLOW[path ?? ''] ?? 'GET, HEAD';
      if (close) headers.connection = 'close';
      reply(res, status, `${message}\n`, headers);
      // A body too large, or sent by a web page, is never read: hang up once the answer is out.
      if (close) hangUpAfter(req, res);
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  // Like every listener of the kit: a connection must send its first request within 10 s, and
  // only so many may wait at once, so idle sockets cannot pile up; then the HTTP timeouts rule.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const guard = new ConnectionGuard(server, { maxWaiting: 1024, maxWaitingPerAddress: 256, deadlineMs: 10_000, waitsFor: 'request' }, (_reason, address, words) =>
    console.error(`[${Node.self()}] shortener: refused a connection from ${address}: ${words}`),
  );
  server.on('request', (req: IncomingMessage) => guard.settle(req.socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new Error(`the shortener cannot listen on ${host}:${options.port}: the port is in use (set DISTSYS_SHORTENER_PORT to another, or 0 for a free one)`);
    throw err;
  });
  server.on('error', (err) => console.error(`[${Node.self()}] shortener: ${err.message}`));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
