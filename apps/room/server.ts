// The room's web server, on the instructor's laptop: the page for the projector
// (HTML, CSS, JS, no build step), the room's state for that page, and the door
// attendees' test runs post their results to. The same door as the live view
// (apps/webGate/): requests must be addressed to it by one of its own names (no
// DNS rebinding), a web page may use it only from its own origin, the page, the
// state and every post need the token of the address it printed. Unlike the
// view it listens on the room's network, so it also refuses any request from
// beyond the local network (LAN only). Posts are small, checked with zod,
// counted per attendee; nothing a client sends can crash it or grow it beyond
// the roster's bounds.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hardened, newToken, pageHeaders, plain, refusal, safeJson, type GateRules } from '../webGate/gate.ts';
import { isLanAddress, urlHost } from './lan.ts';
import { LIMITS, REPORT_PATH, roomReport } from './protocol.ts';
import type { Roster } from './roster.ts';

const PAGE_DIR = new URL('./page/', import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/room.css': { file: 'room.css', type: 'text/css; charset=utf-8' },
  '/room.js': { file: 'room.js', type: 'text/javascript; charset=utf-8' },
};
/** Open connections at once: a room of laptops and a projector need far fewer. */
const MAX_CONNECTIONS = 256;
/** How long the machine's addresses are trusted before they are read again (the Wi-Fi may change). */
const ADDRESSES_MS = 5_000;

export interface RoomServerOptions {
  readonly roster: Roster;
  /** 0: a free port. */
  readonly port: number;
  /** The address it listens on; default every address of the machine (the room's network). */
  readonly host?: string;
  /** The token of its address; default a fresh one. */
  readonly token?: string;
  /** This machine's addresses on the room's network, best first (the doctor's guess by default). */
  readonly addresses: () => string[];
  /** Told about each refused request (for the log). */
  readonly onRefused?: (why: string) => void;
}

export interface RoomServer {
  /** The page's address for the room (this machine's address on the network, else 127.0.0.1), token included. */
  readonly url: string;
  /** The same for every address it answers on, loopback last. */
  readonly urls: string[];
  readonly port: number;
  close(): Promise<void>;
}

export async function startRoomServer(options: RoomServerOptions): Promise<RoomServer> {
  const { roster } = options;
  const token = options.token ?? newToken();
  let port = 0;
  let known: { at: number; names: string[] } = { at: -Infinity, names: [] };
  /** Every name the server answers to: this machine's addresses, then loopback's. */
  const names = (): string[] => {
    if (performance.now() - known.at > ADDRESSES_MS) {
      const own = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? [options.host] : options.addresses();
      known = { at: performance.now(), names: [...new Set([...own, '127.0.0.1', 'localhost'])] };
    }
    return known.names;
  };
  const rules: GateRules = {
    hosts: () => new Set(names().map((n) => `${urlHost(n)}:${port}`)),
    origins: () => new Set(names().map((n) => `http://${urlHost(n)}:${port}`)),
    token,
    what: 'room',
  };
  const refuse = (res: ServerResponse, status: number, why: string) => {
    options.onRefused?.(why);
    plain(res, status, `${why}\n`);
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!isLanAddress(req.socket.remoteAddress)) {
      req.resume();
      return refuse(res, 403, `${String(req.socket.remoteAddress)} is not on the local network: the room takes requests from it only`);
    }
    if (path === REPORT_PATH) return takeReport(req, res);
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET here (attendees POST to /report)');
    if (path === '/state') {
      const why = refusal(req, rules, true);
      if (why) return refuse(res, 403, why);
      const body = Buffer.from(JSON.stringify(roster.view()));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }
    const asset = ASSETS[path];
    if (!asset) return plain(res, 404, 'not found');
    const why = refusal(req, rules, path === '/');
    if (why) return refuse(res, 403, why);
    const body = readFileSync(new URL(asset.file, PAGE_DIR));
    res.writeHead(200, pageHeaders(asset.type, body.length, "'self'"));
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  hardened(server);
  server.maxConnections = MAX_CONNECTIONS;

  /** An attendee's test run: one small JSON post, checked, counted and recorded. */
  function takeReport(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      req.resume();
      return plain(res, 405, 'only POST here');
    }
    const why = refusal(req, rules, true);
    if (why) {
      req.resume();
      return refuse(res, 403, why);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > LIMITS.bodyBytes) {
      req.resume();
      return refuse(res, 413, `a post holds at most ${LIMITS.bodyBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LIMITS.bodyBytes) over = true;
      else chunks.push(chunk);
    });
    req.on('error', () => req.socket.destroy());
    req.on('end', () => {
      if (over) return refuse(res, 413, `a post holds at most ${LIMITS.bodyBytes} bytes`);
      const parsed = roomReport.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return refuse(res, 400, `not a report this room takes: ${issue?.path.join('.') || 'the body'}: ${issue?.message ?? 'invalid'}`);
      }
      const refused = roster.record(String(req.socket.remoteAddress), parsed.data);
      if (refused) return refuse(res, refused.status, refused.why);
      res.writeHead(204, { connection: 'keep-alive' });
      res.end();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  port = (server.address() as AddressInfo).port;
  const urls = names()
    .filter((n) => n !== 'localhost')
    .map((n) => `http://${urlHost(n)}:${port}/?token=${token}`);
  return {
    url: urls[0] as string,
    urls,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
