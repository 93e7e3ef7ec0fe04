// The stage tests' HTTP client: real requests to a node's port, with nothing
// hidden (no redirects followed, no connection reused between requests).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export function request(port: number, method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
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
    req.on('error', (err) => {
      if ((req as { res?: unknown }).res) return;
      reject(err.name === 'AbortError' || err.name === 'TimeoutError' ? new Error(`${method} ${path} on port ${port} did not answer within 10 s`) : err);
    });
    if (options.body !== undefined) req.setHeader('content-length', Buffer.byteLength(options.body));
    req.end(options.body);
  });
}

/** POST / url=<url>, as `curl -d url=…` sends it. */
export const shorten = (port: number, url: string): Promise<Answer> =>
  request(port, 'POST', '/', { body: `url=${encodeURIComponent(url)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

/** GET /<code>, not following the redirect. */
export const follow = (port: number, code: string): Promise<Answer> => request(port, 'GET', `/${code}`);

/** GET /<code>/aggregates, as text or (json) with Accept: application/json. */
export const aggregates = (port: number, code: string, json = false): Promise<Answer> =>
  request(port, 'GET', `/${code}/aggregates`, json ? { headers: { accept: 'application/json' } } : {});

/** An answer in a failure message: `200 "Redirects: 3"`. */
export const shown = (answer: Answer): string => `${answer.status} ${JSON.stringify(answer.body.trim().slice(0, 200))}`;
