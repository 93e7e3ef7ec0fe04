// The storage's commands, as one suite that any store must pass: the embedded
// storage (test/lib/storage.test.ts) and a real Redis (test/lib/storageRedis.test.ts)
// give the same results and the same errors for the same calls.
import { expect, it } from 'vitest';
import { StorageError, type Storage } from '../../lib/storage/client.ts';

/** What a command rejected with, as a StorageError. */
export async function failure(promise: Promise<unknown>): Promise<StorageError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageError);
  return err as StorageError;
}

/** The suite; `storage()` is the client of a store that is empty when the suite starts. */
export function storageCommands(storage: () => Storage): void {
  it('get, set and del work on strings', async () => {
    const s = storage();
    expect(await s.get('greeting')).toBeNull();
    expect(await s.set('greeting', 'hello')).toBe(true);
    expect(await s.get('greeting')).toBe('hello');
    expect(await s.set('greeting', 'hi')).toBe(true);
    expect(await s.get('greeting')).toBe('hi');
    expect(await s.set('empty', '')).toBe(true);
    expect(await s.get('empty')).toBe('');
    expect(await s.del('greeting')).toBe(1);
    expect(await s.del('greeting')).toBe(0);
    expect(await s.get('greeting')).toBeNull();
  });

  it('set with nx sets only a key that does not exist', async () => {
    const s = storage();
    expect(await s.set('leader', 'chris', { nx: true })).toBe(true);
    expect(await s.set('leader', 'ben', { nx: true })).toBe(false);
    expect(await s.get('leader')).toBe('chris');
    expect(await s.set('leader', 'ben', { nx: false })).toBe(true);
    expect(await s.get('leader')).toBe('ben');
    await s.del('leader');
    expect(await s.set('leader', 'dave', { nx: true })).toBe(true);
  });

  it('only one of many concurrent set-nx wins', async () => {
    const s = storage();
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => s.set('lock', `n${i}`, { nx: true })));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('incr counts from 0, by 1 or by any integer, and keeps an integer string', async () => {
    const s = storage();
    expect(await s.incr('counter')).toBe(1);
    expect(await s.incr('counter')).toBe(2);
    expect(await s.incr('counter', 5)).toBe(7);
    expect(await s.incr('counter', -10)).toBe(-3);
    expect(await s.get('counter')).toBe('-3');
    await s.set('preset', '41');
    expect(await s.incr('preset')).toBe(42);
    const all = await Promise.all(Array.from({ length: 50 }, () => s.incr('parallel')));
    expect(new Set(all).size).toBe(50);
    expect(await s.get('parallel')).toBe('50');
  });

  it('incr on a value that is not an integer is an error, and leaves the value alone', async () => {
    const s = storage();
    for (const bad of ['abc', '1.5', ' 1', '01', '', '1e3']) {
      await s.set('word', bad);
      const err = await failure(s.incr('word'));
      expect(err.reason).toBe('rejected');
      expect(err.command).toBe('incr');
      expect(err.message).toMatch(/^incr: the value of "word" is not an integer/);
      expect(await s.get('word')).toBe(bad);
    }
    await s.set('big', String(Number.MAX_SAFE_INTEGER));
    expect((await failure(s.incr('big'))).message).toMatch(/incr: .*overflow/);
    expect((await failure(s.incr('big', 1.5))).message).toMatch(/incr: argument 2 \(by\) must be a safe integer/);
  });

  it('rpush appends and returns the length; lrange reads with Redis indexes', async () => {
    const s = storage();
    expect(await s.rpush('list', 'a')).toBe(1);
    expect(await s.rpush('list', 'b', 'c', 'd', 'e')).toBe(5);
    expect(await s.lrange('list', 0, -1)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await s.lrange('list', 0, 0)).toEqual(['a']);
    expect(await s.lrange('list', 1, 2)).toEqual(['b', 'c']);
    expect(await s.lrange('list', -2, -1)).toEqual(['d', 'e']);
    expect(await s.lrange('list', -1, -1)).toEqual(['e']);
    expect(await s.lrange('list', 2, -2)).toEqual(['c', 'd']);
    expect(await s.lrange('list', -100, 100)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await s.lrange('list', -5, 0)).toEqual(['a']);
    expect(await s.lrange('list', 0, -6)).toEqual([]);
    expect(await s.lrange('list', 3, 1)).toEqual([]);
    expect(await s.lrange('list', 5, 10)).toEqual([]);
    expect(await s.lrange('list', -1, -2)).toEqual([]);
    expect(await s.lrange('no-such-list', 0, -1)).toEqual([]);
  });

  it('a command on the wrong kind of value is a WRONGTYPE error; set and del work on any kind', async () => {
    const s = storage();
    await s.rpush('a-list', 'x');
    await s.set('a-string', 'y');
    const cases: Array<[Promise<unknown>, RegExp]> = [
      [s.get('a-list'), /^WRONGTYPE get: the key "a-list" holds a list/],
      [s.incr('a-list'), /^WRONGTYPE incr: the key "a-list" holds a list/],
      [s.rpush('a-string', 'z'), /^WRONGTYPE rpush: the key "a-string" holds a string/],
      [s.lrange('a-string', 0, -1), /^WRONGTYPE lrange: the key "a-string" holds a string/],
    ];
    for (const [call, message] of cases) {
      const err = await failure(call);
      expect(err.reason).toBe('rejected');
      expect(err.message).toMatch(message);
    }
    expect(await s.lrange('a-list', 0, -1)).toEqual(['x']);
    expect(await s.get('a-string')).toBe('y');
    expect(await s.set('a-list', 'now a string')).toBe(true);
    expect(await s.get('a-list')).toBe('now a string');
    expect(await s.del('a-string')).toBe(1);
    expect(await s.rpush('a-string', 'now a list')).toBe(1);
  });

  it('flush drops everything', async () => {
    const s = storage();
    await s.set('doomed', '1');
    await s.rpush('doomed-list', '1');
    expect(await s.flush()).toBe(true);
    expect(await s.get('doomed')).toBeNull();
    expect(await s.lrange('doomed-list', 0, -1)).toEqual([]);
    expect(await s.set('after-flush', 'yes')).toBe(true);
    expect(await s.get('after-flush')).toBe('yes');
  });

  it('a client mistake comes back as a StorageError with the storage message', async () => {
    const s = storage();
    const err = await failure(s.set('k', 42 as unknown as string));
    expect(err.reason).toBe('rejected');
    expect(err.command).toBe('set');
    expect(err.message).toBe('set: argument 2 (value) must be a string, got 42; usage: set(key, value, { nx }?)');
    expect((await failure(s.rpush('k'))).message).toMatch(/^rpush: wrong number of arguments: it takes rpush\(key, value, \.\.\.values\), got 1 argument/);
    expect((await failure(s.get(''))).message).toMatch(/^get: argument 1 \(key\) must not be empty/);
    expect(await s.ping()).toBe('pong');
  });
}
