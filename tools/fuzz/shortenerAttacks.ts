// Inputs for a link shortener node (stage 4's solution): odd URLs to resolve,
// creates of every shape (form and JSON bodies, urls that are not http, huge
// ones, wrong content types, bodies that lie about their length or pass 8 KiB)
// and web pages. Every answer must be one the API documents, never a 500 and
// never a dropped connection, and a web page must never create a link.
import fc from 'fast-check';
import { request } from 'node:http';
import type { Outcome } from './wire.ts';

/** What the API may answer (http.ts): anything else, a 5xx above all, is a failure. */
const DOCUMENTED = new Set([200, 201, 302, 400, 403, 404, 405, 413, 415, 422]);

const urlish = fc.oneof(
  fc.webUrl(),
  fc.constantFrom('javascript:alert(1)', 'data:text/html,hi', 'ftp://x.org/', '//no-scheme.org', 'http://', 'https://[::1', ' http://spaced.org ', ''),
  fc.string({ maxLength: 200 }),
  fc.webUrl().map((u) => `${u}${'a'.repeat(9_000)}`),
);

export const shortenerInputs = {
  'shortener: odd URLs': fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT', 'GET'),
    path: fc.oneof(fc.webPath(), fc.string({ maxLength: 300 }).map((p) => `/${encodeURIComponent(p)}`), fc.constantFrom('/', '//', '/%', '/%zz', '/..%2f..', `/${'x'.repeat(5_000)}`, '/aggregates', '/abc/aggregates')),
  }),
  'shortener: creates of every shape': fc.record({
    kind: fc.constantFrom('form', 'json', 'text', 'none'),
    url: urlish,
    json: fc.jsonValue(),
    lie: fc.option(fc.integer({ min: 0, max: 50_000_000 }), { nil: undefined }),
  }),
  'shortener: web pages': fc.record({ origin: fc.webUrl(), url: fc.webUrl() }),
};

export function shortenerAttacks(port: number): Record<keyof typeof shortenerInputs, (input: never) => Promise<Outcome>> {
  const send = (method: string, path: string, headers: Record<string, string | number>, body: string, timeout = 5_000) =>
    new Promise<number | 'closed'>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers, timeout }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve('closed'));
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
  const check = (status: number | 'closed', what: unknown): Outcome => {
    if (status === 'closed') return 'closed by the target';
    if (!DOCUMENTED.has(status)) throw new Error(`the shortener answered ${status} to ${JSON.stringify(what).slice(0, 300)}`);
    return 'answered';
  };
  return {
    'shortener: odd URLs': async (r: { method: string; path: string }) => {
      let path = r.path;
      if (!path.startsWith('/')) path = `/${path}`;
      return check(await send(r.method, path, {}, ''), r);
    },
    'shortener: creates of every shape': async (r: { kind: string; url: string; json: unknown; lie?: number }) => {
      const body =
        r.kind === 'form' ? `url=${encodeURIComponent(r.url)}` : r.kind === 'json' ? JSON.stringify(Math.random() < 0.5 ? { url: r.url } : r.json) : r.url;
      const headers: Record<string, string | number> = {};
      if (r.kind === 'form') headers['content-type'] = 'application/x-www-form-urlencoded';
      if (r.kind === 'json') headers['content-type'] = 'application/json';
      if (r.kind === 'text') headers['content-type'] = 'text/plain';
      const short = r.lie !== undefined && r.lie > Buffer.byteLength(body);
      if (r.lie !== undefined) headers['content-length'] = r.lie;
      const status = await send('POST', '/', headers, r.lie !== undefined ? body.slice(0, r.lie) : body, short ? 300 : 5_000);
      return check(status, r);
    },
    'shortener: web pages': async (r: { origin: string; url: string }) => {
      const status = await send('POST', '/', { origin: r.origin, 'content-type': 'application/x-www-form-urlencoded' }, `url=${encodeURIComponent(r.url)}`);
      if (status !== 403 && status !== 'closed') throw new Error(`the shortener answered ${status} to a web page (Origin ${r.origin})`);
      return 'refused at the door';
    },
  };
}
