// A real redis-server for tests of the Redis storage: on a free port, with a
// password, persisting nothing, stopped after the file. `redisUnavailable()`
// says why it cannot run here (redis-server not installed), so tests skip with
// that reason instead of failing.
import { execFileSync } from 'node:child_process';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './globalSetup.ts';

export function redisUnavailable(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'redis-server is not installed (Debian/Ubuntu: apt-get install redis-server); .ci/run installs it';
  }
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly password: string;
  stop(): Promise<void>;
}

export async function startRedis(options: { maxMemoryMb?: number } = {}): Promise<RedisServer> {
  const port = await freePort();
  const password = `pw${process.pid}x${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'distsys-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir];
  if (options.maxMemoryMb) args.push('--maxmemory', `${options.maxMemoryMb}mb`, '--maxmemory-policy', 'noeviction');
  const child: ResultPromise = execa('redis-server', args, { reject: false, buffer: false, cleanup: true });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    password,
    async stop() {
      child.kill('SIGKILL');
      await child;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
