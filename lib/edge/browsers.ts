// Web pages may not talk to the kit. A page open in the attendee's own browser
// can reach ws://127.0.0.1 and http://127.0.0.1, and the browser attaches an
// `Origin` header to every WebSocket upgrade and every cross-site POST it
// makes. No client of the kit sends one (nodes, the port mapper's clients and
// the storage's client are Node.js), so any request that carries it is refused.
import type { IncomingHttpHeaders } from 'node:http';
import { untrusted } from '../logger.ts';

/** The refusal for a request a browser made, or undefined for one from a program. Its words quote the header as network text. */
export function browserRefusal(headers: IncomingHttpHeaders): string | undefined {
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  return `a web page (Origin ${untrusted(String(origin), 100)}) may not use it`;
}
