// The door of the kit's web servers (the live view, the room): who may use a
// page and what it serves. A request must be addressed to the server by one of
// its own names (its Host header), which stops DNS rebinding: a page of
// evil.example that rebinds its name to this address still says Host
// evil.example. A request a web page makes must come from the server's own
// origin (a browser always sends Origin with a WebSocket upgrade and with a
// cross-site POST or fetch). And what needs it must carry the token of the
// address the server printed (as Jupyter does), so another user or program
// that can reach the port cannot use it without reading that address.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface GateRules {
  /** The server's own `host:port` names, as a Host header carries them. */
  readonly hosts: () => ReadonlySet<string>;
  /** The origins of its own pages (`http://host:port`). */
  readonly origins: () => ReadonlySet<string>;
  readonly token: string;
  /** What the server is, for the words of a refusal: 'view', 'room'. */
  readonly what: string;
}

/** A fresh token for a server's address: 144 random bits, URL-safe. */
export const newToken = (): string => randomBytes(18).toString('base64url');

/** Compares a given token with the server's in constant time; a missing one never matches. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (given === null || given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why this request may not use the server, or undefined if it may. */
export function refusal(req: IncomingMessage, rules: GateRules, needsToken: boolean): string | undefined {
  if (!rules.hosts().has(String(req.headers.host ?? ''))) return `Host ${String(req.headers.host).slice(0, 100)} is not this ${rules.what}`;
  const origin = req.headers.origin;
  if (origin !== undefined && !rules.origins().has(origin)) return `a page from ${String(origin).slice(0, 100)} may not use the ${rules.what}`;
  if (needsToken && !tokenMatches(new URL(req.url ?? '/', 'http://x').searchParams.get('token'), rules.token)) return `no token or a wrong one (open the address the ${rules.what} printed)`;
  return undefined;
}

/**
 * The headers of a page or asset the server serves: never cached, never framed,
 * no referrer (the address carries the token), no sniffing, and a content
 * security policy that allows its own scripts and styles and `connect` (fetch,
 * WebSocket) to what it names.
 */
export function pageHeaders(type: string, length: number, connect: string): Record<string, string | number> {
  return {
    'content-type': type,
    'content-length': length,
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
  };
}

/** A short plain-text answer that closes the connection. */
export function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end(text);
}

/** Bounds a slow or malformed client: few headers, 10 s to send them and the request, a broken request closes its socket. */
export function hardened<T extends Server>(server: T): T {
  server.maxHeadersCount = 50;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
