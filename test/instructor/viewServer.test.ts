// The live view's server is a listener of the kit that can kill and partition
// nodes: only the page it served may use it. Loopback only, its own Host and
// Origin only, the token of the address it printed, no framing, and nothing a
// client sends crashes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { Node } from '../../lib/index.ts';
import { openView, type ClusterAccess, type LiveView } from '../../apps/view/index.ts';
import { startManager } from '../support/nodes.ts';

/** Bounds for waits: generous, since the machine may be busy; they end as soon as the condition holds. */
const WAIT = { timeout: 10_000, interval: 50 };

/** A cluster of nobody: the server is what is under test. */
const empty = (): ClusterAccess => ({
  observer: Node.self(),
  members: async () => [],
  look: () => Promise.reject(new Error('no nodes')),
  agent: () => Promise.reject(new Error('no nodes')),
  lifecycle: undefined,
  noLifecycle: 'none here',
  release: async () => undefined,
});

let view: LiveView;
let port: number;
let token: string;
beforeAll(async () => {
  await startManager();
  view = await openView({ access: empty(), title: 'test' });
  const url = new URL(view.url);
  port = Number(url.port);
  token = url.searchParams.get('token') as string;
});
afterAll(() => view?.close());

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function socket(headers: Record<string, string>, path = `/ws?token=${token}`): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('error', () => resolve({ status: -1 }));
  });
}

const own = () => `http://127.0.0.1:${port}`;

describe('the live view server', () => {
  it('listens on 127.0.0.1 and prints an address that carries its token', () => {
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('serves its page with the token, never framed, and refuses it without the token', async () => {
    const ok = await get(`/?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['x-frame-options']).toBe('DENY');
    expect(String(ok.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    expect((await get(`/?token=${token}`, {}, 'POST')).status).toBe(405);
    expect((await get('/nothing')).status).toBe(404);
  });

  it('refuses requests addressed to another host name (DNS rebinding) and pages of other origins', async () => {
    expect((await get(`/?token=${token}`, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(`/view.js`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`/view.js`, { origin: own() })).status).toBe(200);
  });

  it('takes a WebSocket only from its own page: its Origin, its Host and its token', async () => {
    expect((await socket({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await socket({})).status).toBe(403);
    expect((await socket({ origin: own() }, '/ws')).status).toBe(403);
    expect((await socket({ origin: own() }, '/ws?token=nope')).status).toBe(403);
    expect((await socket({ origin: `http://localhost:${port + 1}` })).status).toBe(403);
    const { ws } = await socket({ origin: `http://localhost:${port}` });
    expect(ws).toBeDefined();
    ws?.close();
  });

  it('closes with a last word to every open page (a demo that ended), before the connection closes', async () => {
    const closing = await openView({ access: empty(), title: 'closing' });
    const url = new URL(closing.url);
    const ws = new WebSocket(`ws://${url.host}/ws${url.search}`, { headers: { origin: url.origin } });
    const said: Array<{ type: string; text?: string }> = [];
    ws.on('message', (d) => said.push(JSON.parse(d.toString())));
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    await new Promise((resolve) => ws.once('open', resolve));
    await closing.close('The demo has ended: its nodes are stopped.');
    expect(await closed, 'a proper close, not a dropped connection').toBe(1001);
    expect(said.at(-1)).toEqual({ type: 'end', text: 'The demo has ended: its nodes are stopped.' });
  });

  it('answers bad commands with a refusal and keeps serving', async () => {
    const { ws } = await socket({ origin: own() });
    const replies: Array<{ type: string; ok?: boolean; error?: string }> = [];
    ws?.on('message', (d) => replies.push(JSON.parse(d.toString())));
    for (const bad of ['not json', '{}', JSON.stringify({ id: 1, op: 'rm -rf' }), JSON.stringify({ id: 2, op: 'kill', node: 'nobody@nowhere' }), JSON.stringify({ id: 3, op: 'kill' })]) ws?.send(bad);
    ws?.send(Buffer.from([0xff, 0x00]), { binary: true });
    await expect.poll(() => replies.filter((r) => r.type === 'done').length, WAIT).toBe(6);
    expect(replies.filter((r) => r.type === 'done').every((r) => r.ok === false)).toBe(true);
    expect(replies.find((r) => r.error?.includes('nobody@nowhere'))?.error).toBe('no node nobody@nowhere in this cluster');
    const closed = new Promise((r) => ws?.once('close', r));
    ws?.send('x'.repeat(10_000));
    await closed; // a frame over the limit closes that connection, and only it
    expect((await get(`/?token=${token}`)).status).toBe(200);
  });
});
