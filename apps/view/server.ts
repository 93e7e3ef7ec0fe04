// The live view's web server: one page (HTML, CSS, JS, no build step) and a
// WebSocket that pushes the cluster's picture to it and takes its buttons'
// commands. Its buttons kill and partition nodes, so only that page may use
// it: it listens on 127.0.0.1 only; it answers only requests addressed to it by
// that name (Host 127.0.0.1:PORT or localhost:PORT, which stops DNS rebinding);
// a request from a web page must come from its own origin; the page and the
// WebSocket need the token in the address it prints (as Jupyter does), so
// another local user or program cannot use it without reading that address;
// the page may not be framed. Commands are checked with zod; nothing a client
// sends can crash it.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { hardened, newToken, pageHeaders, plain, refusal as gateRefusal, safeJson, type GateRules } from '../webGate/gate.ts';
import type { Actions } from './actions.ts';
import type { ClusterWatch, MessageBatch, ViewState } from './watch.ts';

const PAGE_DIR = new URL('./page/', import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/view.css': { file: 'view.css', type: 'text/css; charset=utf-8' },
  '/view.js': { file: 'view.js', type: 'text/javascript; charset=utf-8' },
  '/labels.js': { file: 'labels.js', type: 'text/javascript; charset=utf-8' },
  '/messageList.js': { file: 'messageList.js', type: 'text/javascript; charset=utf-8' },
  '/svg.js': { file: 'svg.js', type: 'text/javascript; charset=utf-8' },
};
const MAX_CLIENTS = 16;
const MAX_COMMAND_BYTES = 4_096;

const command = z.object({
  id: z.number().int().nonnegative(),
  op: z.enum(['partition', 'heal', 'kill', 'restart']),
  node: z.string().max(300).optional(),
});

export interface ViewServer {
  /** The page's address, token included: give it to the browser. */
  readonly url: string;
  readonly port: number;
  /** Stops serving; `farewell`, if given, is what the open pages keep saying (they stop trying to reconnect). */
  close(farewell?: string): Promise<void>;
}

export interface ViewServerOptions {
  readonly watch: ClusterWatch;
  readonly actions: Actions;
  /** 0 (default) takes a free port. */
  readonly port?: number;
  /** Told about each refused request (for the log). */
  readonly onRefused?: (why: string) => void;
}

export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const { watch, actions } = options;
  const token = newToken();
  let port = 0;
  const rules: GateRules = {
    hosts: () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]),
    origins: () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]),
    token,
    what: 'view',
  };
  const refused = (why: string) => options.onRefused?.(why);
  /** Why this request may not use the view, or undefined if it may. */
  const refusal = (req: IncomingMessage, needsToken: boolean) => gateRefusal(req, rules, needsToken);

  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const asset = ASSETS[path];
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET');
    if (!asset) return plain(res, 404, 'not found');
    const why = refusal(req, path === '/');
    if (why) {
      refused(why);
      return plain(res, 403, `${why}\n`);
    }
    const body = readFileSync(new URL(asset.file, PAGE_DIR));
    res.writeHead(200, pageHeaders(asset.type, body.length, `ws://127.0.0.1:${port} ws://localhost:${port}`));
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  hardened(server);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_COMMAND_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // A browser always sends Origin with a WebSocket upgrade: this page's own, or it is refused.
    const why = path !== '/ws' ? 'no WebSocket here' : req.headers.origin === undefined ? 'a WebSocket without Origin' : refusal(req, true);
    const full = wss.clients.size >= MAX_CLIENTS ? 'too many pages are open' : undefined;
    if (why || full) {
      refused((why ?? full) as string);
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => client(ws));
  });

  // One command at a time: a kill and a restart of the same node must not overlap.
  let queue: Promise<unknown> = Promise.resolve();
  function client(ws: WebSocket): void {
    const send = (value: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
    };
    send({ type: 'state', state: watch.state() });
    const onState = (state: ViewState) => send({ type: 'state', state });
    const onMessages = (batch: MessageBatch) => send({ type: 'messages', ...batch });
    watch.on('state', onState);
    watch.on('messages', onMessages);
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      watch.off('state', onState);
      watch.off('messages', onMessages);
    });
    ws.on('message', (data, isBinary) => {
      const parsed = command.safeParse(isBinary ? undefined : safeJson(data.toString()));
      if (!parsed.success) {
        send({ type: 'done', ok: false, error: 'not a command this view knows' });
        return;
      }
      const { id, op, node } = parsed.data;
      queue = queue.then(async () => {
        try {
          if (op !== 'heal') {
            if (!node || !watch.state().nodes.some((n) => n.name === node)) throw new Error(`no node ${String(node)} in this cluster`);
            await actions[op](node);
          } else await actions.heal();
          send({ type: 'done', id, ok: true });
        } catch (err) {
          send({ type: 'done', id, ok: false, error: (err as Error).message });
        }
        watch.refresh();
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  port = (server.address() as AddressInfo).port;
  watch.start();
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    async close(farewell) {
      if (farewell !== undefined) await sayGoodbye([...wss.clients], farewell);
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await watch.stop();
    },
  };
}

/** How long closing waits for each page to take its last word and answer the close. */
const GOODBYE_MS = 1_000;

/** Sends each page `farewell` and closes its WebSocket properly (so the word is not lost), within GOODBYE_MS. */
async function sayGoodbye(clients: WebSocket[], farewell: string): Promise<void> {
  await Promise.all(
    clients.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState !== ws.OPEN) return resolve();
          const timer = setTimeout(resolve, GOODBYE_MS);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.send(JSON.stringify({ type: 'end', text: farewell }));
          ws.close(1001, 'the view is closing');
        }),
    ),
  );
}
