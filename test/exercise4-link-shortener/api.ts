// The stage tests' HTTP client: real requests to a node's port, with nothing
// hidden (no redirects followed, no connection reused between requests).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { label } from '../support/stage.ts';
import type { NodeName } from '../../lib/index.ts';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send the body in chunks, without a content-length. */
  chunked?: boolean;
}

export function request(port: number, method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, agent: false, headers: options.headers ?? {}, signal: AbortSignal.timeout(10_000) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The server may answer and hang up before it reads a body it refuses: that answer is what we want.
    req.on('error', (err) => {
      if ((req as { res?: unknown }).res) return;
      reject(err.name === 'AbortError' || err.name === 'TimeoutError' ? new Error(`${method} ${path} on port ${port} did not answer within 10 s`) : err);
    });
    if (options.body !== undefined) {
      if (options.chunked) req.setHeader('transfer-encoding', 'chunked');
      else req.setHeader('content-length', Buffer.byteLength(options.body));
      req.write(options.body);
    }
    req.end();
  });
}

/** POST / url=<url>, as `curl -d url=…` sends it. */
export const shorten = (port: number, url: string): Promise<Answer> =>
  request(port, 'POST', '/', { body: `url=${encodeURIComponent(url)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

/** GET /<code>, not following the redirect. */
export const follow = (port: number, code: string): Promise<Answer> => request(port, 'GET', `/${code}`);

/** An answer in a failure message: `201 "abc123"`. */
export const shown = (answer: Answer): string => `${answer.status} ${JSON.stringify(answer.body.trim().slice(0, 200))}`;

/** Fails unless POST / answered 201 with `code` and a Location that leads to it; returns the code. */
export function expectCreated(answer: Answer, node: NodeName, url: string, code: string): string {
  if (answer.status !== 201 || answer.body !== code) {
    throw new Error(
      `POST / url=${url} on ${label(node)} answered ${shown(answer)}, expected 201 with the code ${JSON.stringify(code)} (the url's short code) as its body: create stores the link and answers { ok: code }`,
    );
  }
  const location = answer.headers.location ?? '';
  if (!location.endsWith(`/${code}`)) throw new Error(`POST / on ${label(node)} answered 201 with Location ${JSON.stringify(location)}, expected the short link …/${code}`);
  return code;
}

/** Fails unless GET /<code> answered 302 to `url`, with the url as its body. */
export function expectRedirect(answer: Answer, node: NodeName, code: string, url: string, why: string): void {
  if (answer.status === 302 && answer.headers.location === url && answer.body === url) return;
  throw new Error(`GET /${code} on ${label(node)} answered ${shown(answer)}${answer.headers.location ? ` (Location ${answer.headers.location})` : ''}, expected 302 to ${url}: ${why}`);
}
