// Cookies: only nodes that share one connect; the cookie itself never crosses the wire.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Node, addLogHandler, rpc, type LogEvent } from '../../lib/index.ts';
import { spawnNode } from '../../lib/cluster/spawnNode.ts';
import { COOKIE, fixture, startChild, startManager, uniqueName } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const logged: LogEvent[] = [];
addLogHandler((event) => logged.push(event));

const homes: string[] = [];
afterAll(() => homes.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('cookies', () => {
  it('a node with another cookie is refused, both sides log it, and setCookie lets it in', async () => {
    const me = await startManager();
    const other = await startChild('lonestar', { cookie: 'lonestar' });
    expect(await Node.connect(other.name)).toBe(false);
    expect(Node.list()).not.toContain(other.name);
    // Both sides say whom they refused or were refused by.
    expect(logged.map((e) => e.message).join('\n')).toMatch(new RegExp(`${other.name}.*cookie mismatch|cookie mismatch.*${other.name}`));
    await waitFor(() => expect(other.log()).toMatch(new RegExp(`${me}.*cookie does not match`)));

    expect(Node.getCookie()).toBe(COOKIE);
    expect(Node.setCookie('lonestar')).toBe(true);
    expect(Node.getCookie()).toBe('lonestar');
    expect(await Node.connect(other.name)).toBe(true);
    expect(Node.list()).toContain(other.name);
    Node.setCookie(COOKIE);
  });

  it('the cookie never appears in any frame, in either direction, whoever dials', async () => {
    // Read every WebSocket frame this node sends and receives, as text, after unmasking.
    const frames: string[] = [];
    const originalSend = WebSocket.prototype.send;
    const originalEmit = WebSocket.prototype.emit;
    WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
      frames.push(String(data));
      return (originalSend as (...a: unknown[]) => void).call(this, data, ...rest);
    } as typeof originalSend;
    WebSocket.prototype.emit = function (this: WebSocket, event: string | symbol, ...args: unknown[]) {
      if (event === 'message') frames.push(String(args[0]));
      return originalEmit.call(this, event, ...args);
    } as typeof originalEmit;
    try {
      const secret = 'Zq7-distinctive-cookie-value';
      Node.setCookie(secret);
      const [dialled, dialler] = await Promise.all([startChild('wire', { cookie: secret }), startChild('wire', { cookie: secret })]);
      expect(await Node.connect(dialled.name)).toBe(true);
      expect(await rpc.call(dialler.name, fixture('mesh.ts'), 'connect', [Node.self()])).toBe(true);
      expect(await rpc.call(dialled.name, fixture('app.ts'), 'add', [secret.length, 1])).toBe(secret.length + 1);
      const kinds = new Set(frames.map((f) => /"t":"(\w+)"/.exec(f)?.[1]));
      // The capture saw both handshakes' frames and traffic after them, so its silence about the cookie means something.
      expect([...kinds]).toEqual(expect.arrayContaining(['hello', 'challenge', 'answer', 'ack', 'b']));
      for (const frame of frames) {
        expect(frame).not.toContain(secret);
        expect(frame).not.toContain(Buffer.from(secret).toString('hex'));
        expect(frame).not.toContain(Buffer.from(secret).toString('base64'));
      }
    } finally {
      WebSocket.prototype.send = originalSend;
      WebSocket.prototype.emit = originalEmit;
      Node.setCookie(COOKIE);
    }
  });

  it('without a cookie, a node creates ~/.distsys.cookie readable by its owner only, and reuses it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'distsys-home-'));
    homes.push(home);
    const env = { HOME: home, USERPROFILE: home };
    const first = await spawnNode({ sname: uniqueName('nocookie'), env });
    const file = join(home, '.distsys.cookie');
    try {
      const cookie = readFileSync(file, 'utf8').trim();
      expect(cookie).toMatch(/^[A-Z]{20}$/);
      if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
      // A second node with the same home shares the cookie, so the two connect.
      const second = await spawnNode({ sname: uniqueName('nocookie'), env });
      try {
        Node.setCookie(cookie);
        expect(await rpc.call(second.name, fixture('mesh.ts'), 'connect', [first.name])).toBe(true);
        expect(readFileSync(file, 'utf8').trim()).toBe(cookie);
      } finally {
        await second.kill();
      }
    } finally {
      await first.kill();
      Node.setCookie(COOKIE);
    }
  });
});
