// Inputs for the storage: commands of every shape with its token, HTTP that
// is odd in every other way (no token, a wrong one, a web page's Origin,
// methods and paths it does not serve, bodies that lie about their length or
// are too large), and requests that stop halfway. It never sends `flush`, and
// it writes under keys of its own, so what the real client acknowledged stays.
import fc from 'fast-check';
import { request } from 'node:http';
import { parseStorageUrl } from '../../lib/storage/protocol.ts';
import { closedWithin, tcp, type Outcome } from './wire.ts';

const command = fc.oneof(fc.constantFrom('ping', 'get', 'set', 'del', 'incr', 'rpush', 'lrange', 'FLUSH', 'Get', ''), fc.string());
const fuzzKey = fc.string({ maxLength: 30 }).map((k) => `fz:${k}`);
const arg = fc.oneof(fuzzKey, fc.jsonValue(), fc.integer(), fc.string({ maxLength: 50 }));

export const storageInputs = {
  'storage: commands of every shape': fc.oneof(
    fc.record({ command, args: fc.array(arg, { maxLength: 4 }) }).map((v) => JSON.stringify(v)),
    fc.record({ command: fc.constantFrom('set', 'rpush', 'incr', 'get', 'lrange', 'del'), args: fc.tuple(fuzzKey, arg, arg) }).map((v) => JSON.stringify(v)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 300 }),
  ),
  'storage: odd HTTP': fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
    path: fc.oneof(fc.constantFrom('/command', '/', '/command?x=1', '//command', '/../command'), fc.webPath()),
    auth: fc.constantFrom('none', 'wrong', 'right'),
    origin: fc.option(fc.webUrl(), { nil: undefined }),
    body: fc.string({ maxLength: 2000 }),
    lie: fc.option(fc.integer({ min: 0, max: 100_000_000 }), { nil: undefined }),
  }),
  'storage: requests that stop halfway': fc.string({ maxLength: 500 }),
};

export function storageAttacks(url: string): Record<keyof typeof storageInputs, (input: never) => Promise<Outcome>> {
  const { origin, token } = parseStorageUrl(url, 'the storage URL');
  const { hostname, port } = new URL(origin);
  const send = (method: string, path: string, headers: Record<string, string | number>, body: string, timeout = 5_000) =>
    new Promise<number | 'closed'>((resolve) => {
      const req = request({ host: hostname, port, method, path, headers, timeout }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve('closed'));
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
  return {
    'storage: commands of every shape': async (body: string) => {
      const status = await send('POST', '/command', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body);
      if (status === 'closed' || status >= 500) throw new Error(`the storage answered ${status} to ${body}`);
      return 'answered';
    },
    'storage: odd HTTP': async (r: { method: string; path: string; auth: string; origin?: string; body: string; lie?: number }) => {
      const headers: Record<string, string | number> = {};
      if (r.auth !== 'none') headers.authorization = `Bearer ${r.auth === 'right' ? token : 'not-the-token-at-all'}`;
      if (r.origin) headers.origin = r.origin;
      if (r.lie !== undefined) headers['content-length'] = r.lie;
      // A body shorter than it claims leaves the storage waiting for the rest: we hang up first.
      const short = r.lie !== undefined && r.lie > Buffer.byteLength(r.body);
      const status = await send(r.method, r.path, headers, r.lie !== undefined ? r.body.slice(0, r.lie) : r.body, short ? 300 : 5_000);
      if (typeof status === 'number' && status < 400 && (r.auth !== 'right' || r.origin)) {
        throw new Error(`the storage answered ${status} to a request ${r.origin ? 'from a web page' : 'without its token'}: ${JSON.stringify(r)}`);
      }
      return status === 'closed' ? 'closed by the target' : 'answered';
    },
    'storage: requests that stop halfway': async (head: string) => {
      const s = await tcp(Number(port));
      s.write(`POST /command HTTP/1.1\r\nHost: x\r\n${head}`);
      return (await closedWithin(s, 200)) ? 'closed by the target' : 'left open (we closed it)';
    },
  };
}
