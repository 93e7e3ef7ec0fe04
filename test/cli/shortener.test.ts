// `distsys shortener`: the instructor's demo of stage 4. Three nodes serve the
// HTTP API; a link created on one resolves on another; Ctrl+C (SIGINT) stops
// every process the demo started, the port mapper included (it idles out).
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request as httpRequest } from 'node:http';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/distsys.js', import.meta.url));

/** Every process under `root`, found through ps (the demo, its nodes, its storage, the port mapper it started). */
function descendants(root: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of rows) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('distsys shortener', () => {
  it('starts three nodes on their own ports, a link made on one resolves on another, and Ctrl+C leaves nothing running', async () => {
    const demo = execa(process.execPath, [BIN, 'shortener', '--nodes', '3', '--port', '0'], {
      buffer: false,
      reject: false,
      stdin: 'ignore',
      env: { DISTSYS_STORAGE_URL: '', DISTSYS_EPMD_IDLE_MS: '300', DISTSYS_LOG_LEVEL: 'error' },
    });
    let printed = '';
    demo.stdout?.setEncoding('utf8');
    demo.stdout?.on('data', (chunk: string) => (printed += chunk));
    let processes: number[] = [];
    try {
      await waitFor(() => expect(printed).toContain('shortener ready'), 30_000, 100);
      const ports = [...printed.matchAll(/^ {2}shortener\d@\S+\s+http:\/\/localhost:(\d+)$/gm)].map((m) => Number(m[1]));
      expect(ports, `the demo printed:\n${printed}`).toHaveLength(3);
      expect(new Set(ports).size).toBe(3);
      processes = [demo.pid as number, ...descendants(demo.pid as number)];
      expect(processes.length, 'the demo, its three nodes and its storage').toBeGreaterThanOrEqual(5);

      const created = await call(ports[0] as number, 'POST', '/', 'url=https://elixir-lang.org');
      expect(created.status, created.body).toBe(201);
      const followed = await call(ports[1] as number, 'GET', `/${created.body}`);
      expect([followed.status, followed.location, followed.body]).toEqual([302, 'https://elixir-lang.org/', 'https://elixir-lang.org/']);
    } finally {
      demo.kill('SIGINT');
      const { exitCode } = await demo;
      expect(exitCode, `the demo's exit code after SIGINT; it printed:\n${printed}`).toBe(0);
    }
    await waitFor(() => expect(processes.filter(running), 'processes the demo started that still run').toEqual([]), 10_000, 100);
  });

  it('--stage 5 runs stage 5\'s shortener: a redirect on one node is counted on the other', async () => {
    const demo = execa(process.execPath, [BIN, 'shortener', '--stage', '5', '--nodes', '2', '--port', '0'], {
      buffer: false,
      reject: false,
      stdin: 'ignore',
      env: { DISTSYS_STORAGE_URL: '', DISTSYS_EPMD_IDLE_MS: '300', DISTSYS_LOG_LEVEL: 'error' },
    });
    let printed = '';
    demo.stdout?.setEncoding('utf8');
    demo.stdout?.on('data', (chunk: string) => (printed += chunk));
    let processes: number[] = [];
    try {
      await waitFor(() => expect(printed).toContain('shortener ready'), 30_000, 100);
      expect(printed).toContain('exercise5-crdt');
      const ports = [...printed.matchAll(/^ {2}shortener\d@\S+\s+http:\/\/localhost:(\d+)$/gm)].map((m) => Number(m[1]));
      expect(ports, `the demo printed:\n${printed}`).toHaveLength(2);
      processes = [demo.pid as number, ...descendants(demo.pid as number)];
      const created = await call(ports[0] as number, 'POST', '/', 'url=https://elixir-lang.org');
      expect(created.status, created.body).toBe(201);
      expect((await call(ports[0] as number, 'GET', `/${created.body}`)).status).toBe(302);
      await waitFor(async () => expect((await call(ports[1] as number, 'GET', `/${created.body}/aggregates`)).body).toBe('Redirects: 1\n'), 10_000, 50);
    } finally {
      demo.kill('SIGINT');
      const { exitCode } = await demo;
      expect(exitCode, `the demo's exit code after SIGINT; it printed:\n${printed}`).toBe(0);
    }
    await waitFor(() => expect(processes.filter(running), 'processes the demo started that still run').toEqual([]), 10_000, 100);
  });
});
