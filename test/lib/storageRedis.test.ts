// The storage on a real Redis: the same commands, results and errors as the
// embedded store (the shared suite), and the failures of a client that has the
// wrong password or nothing to talk to, in the same words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../lib/storage/client.ts';
import { freePort } from '../support/globalSetup.ts';
import { redisUnavailable, startRedis, type RedisServer } from '../support/redisServer.ts';
import { failure, storageCommands } from '../support/storageConformance.ts';

const why = redisUnavailable();
let redis: RedisServer | undefined;
afterAll(() => redis?.stop());

describe.skipIf(why !== undefined)(`the storage on Redis${why ? ` (skipped: ${why})` : ''}`, () => {
  let s: Storage;
  beforeAll(async () => {
    redis = await startRedis();
    s = Storage.connect(redis.url);
    await s.flush();
  });

  it('answers ping with pong at its redis:// URL', async () => {
    expect(s.url).toBe(`${redis?.url}`);
    expect(await s.ping()).toBe('pong');
  });

  storageCommands(() => s);

  it('a wrong password is a StorageError saying the client was refused', async () => {
    const err = await failure(Storage.connect(`redis://:wrong-password@127.0.0.1:${redis?.port}`).get('k'));
    expect(err.reason).toBe('denied');
    expect(err.message).toMatch(/^get: the Redis at redis:\/\/127\.0\.0\.1:\d+ refused this client/);
    expect(err.message).not.toContain('wrong-password');
  });

  it('a Redis nobody runs is a StorageError saying it is not reachable', async () => {
    const port = await freePort();
    const err = await failure(Storage.connect(`redis://127.0.0.1:${port}`, { timeoutMs: 1_000 }).get('k'));
    expect(err.reason).toBe('unreachable');
    expect(err.message).toBe(`get: the storage at redis://127.0.0.1:${port} is not reachable (ECONNREFUSED); is redis-server running there?`);
  });

  it('a Redis at its memory limit refuses writes as "the storage is full", and keeps what it has', async () => {
    const small = await startRedis({ maxMemoryMb: 2 });
    try {
      const t = Storage.connect(small.url);
      expect(await t.set('first', 'x'.repeat(1024))).toBe(true);
      const big = 'y'.repeat(512 * 1024);
      let refused: Awaited<ReturnType<typeof failure>> | undefined;
      for (let i = 0; i < 20 && !refused; i++) refused = await t.set(`big${i}`, big).then(() => undefined, () => failure(t.set(`big${i}x`, big)));
      expect(refused?.reason).toBe('rejected');
      expect(refused?.message).toMatch(/the storage is full/);
      expect(await t.get('first')).toBe('x'.repeat(1024));
    } finally {
      await small.stop();
    }
  });
});
