// The storage: a small Redis in its own OS process, journaled to disk, that
// answers bad input with clear errors and keeps every acknowledged write
// through a kill -9.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startStorage, type StorageProcess } from '../../lib/cluster/storageProcess.ts';
import { Storage, StorageError } from '../../lib/storage/client.ts';
import { parseStorageUrl } from '../../lib/storage/protocol.ts';
import { waitFor } from '../support/wait.ts';
import { failure, storageCommands } from '../support/storageConformance.ts';
import { freePort } from '../support/globalSetup.ts';

const root = mkdtempSync(join(tmpdir(), 'distsys-storage-'));
const started: StorageProcess[] = [];
let dirs = 0;

afterAll(async () => {
  await Promise.all(started.map((s) => s.kill('SIGKILL').catch(() => {})));
  rmSync(root, { recursive: true, force: true });
});

function newDir(): string {
  return join(root, `store${dirs++}`);
}

async function start(dir = newDir(), options: { maxMb?: number } = {}): Promise<{ proc: StorageProcess; storage: Storage; dir: string }> {
  const proc = await startStorage({ dir, ...options });
  started.push(proc);
  return { proc, storage: Storage.connect(proc.url), dir };
}

/** The storage's address (the URL without its token) and the header that carries the token. */
function split(url: string): { origin: string; auth: Record<string, string> } {
  const { origin, token } = parseStorageUrl(url, 'the URL');
  return { origin, auth: token ? { authorization: `Bearer ${token}` } : {} };
}

async function post(url: string, body: string, init: RequestInit = {}): Promise<{ status: number; body: { ok: boolean; error?: string; result?: unknown } }> {
  const { origin, auth } = split(url);
  const res = await fetch(`${origin}/command`, { method: 'POST', body, ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string } };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}


describe('storage commands', () => {
  let proc: StorageProcess;
  let s: Storage;
  beforeAll(async () => {
    ({ proc, storage: s } = await start());
  });

  it('answers ping with pong, at the URL it printed', async () => {
    expect(proc.url).toMatch(/^http:\/\/distsys:[A-Za-z0-9_-]{16,}@127\.0\.0\.1:\d+$/);
    expect(s.url).toBe(proc.url);
    expect(await s.ping()).toBe('pong');
  });

  storageCommands(() => s);

  it('bad requests get a 400 naming the command and the argument, and the storage still answers', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"command":"hset","args":["k","f","v"]}', /^unknown command "hset" \(the commands are ping, get, set, del, incr, rpush, lrange, flush\)/],
      ['{"command":"toString"}', /^unknown command "toString"/],
      ['{"command":"set","args":["k",1]}', /^set: argument 2 \(value\) must be a string, got 1/],
      ['{"command":"set","args":["k","v",{"nx":"yes"}]}', /^set: argument 3 \(options\.nx\) must be a boolean, got "yes"/],
      ['{"command":"set","args":["k","v",{"xx":true}]}', /^set: argument 3 \(options\) must be an object like \{ nx: true \}/],
      ['{"command":"set","args":["k"]}', /^set: wrong number of arguments: it takes set\(key, value, \{ nx \}\?\), got 1 argument/],
      ['{"command":"get","args":["k","extra"]}', /^get: wrong number of arguments: it takes get\(key\), got 2 arguments/],
      ['{"command":"get","args":[null]}', /^get: argument 1 \(key\) must be a string, got null/],
      ['{"command":"incr","args":["k","2"]}', /^incr: argument 2 \(by\) must be a number, got "2"/],
      ['{"command":"lrange","args":["k","0",-1]}', /^lrange: argument 2 \(start\) must be a number/],
      ['{"command":"rpush","args":["k","a",{"b":1}]}', /^rpush: argument 3 \(value\) must be a string/],
      ['{"command":"get","args":"k"}', /^"args" must be an array/],
      ['{"args":["k"]}', /^"command" must be a string/],
      ['["get","k"]', /^the request must be a JSON object/],
      ['null', /^the request must be a JSON object/],
      ['{"command":"get","args":["k"]', /^the request body is not valid JSON/],
      ['', /^the request body is not valid JSON/],
      ['\u00ff\u0000garbage', /^the request body is not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await post(proc.url, body);
      expect.soft(res.status, body).toBe(400);
      expect.soft(res.body.ok, body).toBe(false);
      expect.soft(res.body.error, body).toMatch(message);
    }
    expect(await s.ping()).toBe('pong');
  });

  it('a body over 1 MiB is refused with a 413, and the storage still answers', async () => {
    const res = await post(proc.url, JSON.stringify({ command: 'set', args: ['huge', 'x'.repeat(2 * 1024 * 1024)] }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/^the request body is \d+ bytes, more than the limit of 1048576 bytes/);
    expect(await s.get('huge')).toBeNull();
    // Just under the limit is fine.
    expect(await s.set('large', 'y'.repeat(1000 * 1024))).toBe(true);
    expect((await s.get('large'))?.length).toBe(1000 * 1024);
  });

  it('anything but POST /command is refused with a clear answer', async () => {
    const { origin, auth } = split(proc.url);
    const wrongMethod = await fetch(`${origin}/command`, { headers: auth });
    expect(wrongMethod.status).toBe(405);
    expect(((await wrongMethod.json()) as { error: string }).error).toMatch(/answers POST \/command only, not GET \/command/);
    const wrongPath = await fetch(`${origin}/set`, { method: 'POST', body: '{}', headers: auth });
    expect(wrongPath.status).toBe(404);
    await wrongPath.body?.cancel();
    expect(await s.ping()).toBe('pong');
    expect(isAlive(proc.pid)).toBe(true);
  });
});

describe('storage URL', () => {
  it('a storage nobody runs is a StorageError saying it is not reachable', async () => {
    const port = await freePort();
    const s = Storage.connect(`http://127.0.0.1:${port}`);
    const err = await failure(s.get('k'));
    expect(err.reason).toBe('unreachable');
    expect(err.message).toBe(`get: the storage at http://127.0.0.1:${port} is not reachable (ECONNREFUSED); is \`distsys storage\` running there?`);
  });

  it('a storage that does not answer in time is a timeout, not a hang', async () => {
    const { proc } = await start();
    const s = Storage.connect(proc.url, { timeoutMs: 300 });
    await proc.kill('SIGSTOP');
    try {
      const err = await failure(s.get('k'));
      expect(err.reason).toBe('timeout');
      expect(err.message).toBe(`get: the storage at ${split(proc.url).origin} did not answer within 300 ms (the command may or may not have run)`);
    } finally {
      await proc.kill('SIGCONT');
    }
    expect(await s.ping()).toBe('pong');
  });

  it('no URL, or a bad DISTSYS_STORAGE_URL, is a clear error', () => {
    const saved = process.env.DISTSYS_STORAGE_URL;
    try {
      delete process.env.DISTSYS_STORAGE_URL;
      expect(() => Storage.connect()).toThrow(/^no storage URL: pass one to Storage.connect\(url\) or set DISTSYS_STORAGE_URL/);
      const bad: Array<[string, RegExp]> = [
        ['not a url', /^DISTSYS_STORAGE_URL=not a url is not a URL \(it lacks http:\/\/\): expected something like http:\/\/distsys:TOKEN@127\.0\.0\.1:4380/],
        ['127.0.0.1:4380', /^DISTSYS_STORAGE_URL=127\.0\.0\.1:4380 is not a URL \(it lacks http:\/\/\)/],
        ['localhost:4380', /^DISTSYS_STORAGE_URL=localhost:4380 is not a URL \(it lacks http:\/\/\)/],
        ['http://', /^DISTSYS_STORAGE_URL=http:\/\/ is not a URL: expected/],
        ['ftp://127.0.0.1:4380', /^DISTSYS_STORAGE_URL=ftp:\/\/127\.0\.0\.1:4380 must be an http:\/\/ \(or redis:\/\/\) URL, not ftp:\/\//],
        ['http://127.0.0.1:4380/command', /^DISTSYS_STORAGE_URL=http:\/\/127\.0\.0\.1:4380\/command must be the storage's address alone, with no path/],
      ];
      for (const [raw, message] of bad) {
        process.env.DISTSYS_STORAGE_URL = raw;
        let thrown: unknown;
        try {
          Storage.connect();
        } catch (err) {
          thrown = err;
        }
        expect(thrown, raw).toBeInstanceOf(StorageError);
        expect((thrown as StorageError).reason).toBe('config');
        expect((thrown as StorageError).message).toMatch(message);
      }
      expect(() => Storage.connect('localhost')).toThrow(/^the storage URL "localhost" is not a URL/);
      process.env.DISTSYS_STORAGE_URL = 'http://127.0.0.1:4380/';
      expect(Storage.connect().url).toBe('http://127.0.0.1:4380');
      process.env.DISTSYS_STORAGE_URL = 'http://anyone:s3cret-token-0123456789@127.0.0.1:4380/';
      expect(Storage.connect().url).toBe('http://distsys:s3cret-token-0123456789@127.0.0.1:4380');
      // A token never shows in an error message.
      process.env.DISTSYS_STORAGE_URL = 'http://distsys:s3cret-token-0123456789@127.0.0.1:4380/command';
      expect(() => Storage.connect()).toThrow(/^DISTSYS_STORAGE_URL=http:\/\/distsys:\*\*\*@127\.0\.0\.1:4380\/command must be/);
    } finally {
      if (saved === undefined) delete process.env.DISTSYS_STORAGE_URL;
      else process.env.DISTSYS_STORAGE_URL = saved;
    }
  });

  it('a client made from DISTSYS_STORAGE_URL talks to that storage', async () => {
    const { proc } = await start();
    const saved = process.env.DISTSYS_STORAGE_URL;
    process.env.DISTSYS_STORAGE_URL = proc.url;
    try {
      const s = Storage.connect();
      expect(await s.set('from-env', 'yes')).toBe(true);
      expect(await Storage.connect(proc.url).get('from-env')).toBe('yes');
    } finally {
      if (saved === undefined) delete process.env.DISTSYS_STORAGE_URL;
      else process.env.DISTSYS_STORAGE_URL = saved;
    }
  });
});

describe('storage durability', () => {
  it('every acknowledged write survives kill -9; restart keeps the URL', async () => {
    const { proc, storage: s } = await start();
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => s.set(`key${batch * 20 + i}`, `value${batch * 20 + i}`)));
    }
    const counts = await Promise.all(Array.from({ length: 100 }, () => s.incr('hits')));
    expect(Math.max(...counts)).toBe(100);
    for (let i = 0; i < 50; i++) await s.rpush('events', `e${i}`);
    await s.set('removed', 'x');
    await s.del('removed');
    await s.set('once', 'first', { nx: true });
    await s.set('once', 'second', { nx: true });
    const firstPid = proc.pid;

    await proc.kill('SIGKILL');
    expect(isAlive(firstPid)).toBe(false);
    expect((await failure(s.ping())).reason).toMatch(/^(unreachable|broken)$/);

    await proc.restart();
    expect(proc.pid).not.toBe(firstPid);
    // The same client, at the same URL, finds everything.
    expect(await s.ping()).toBe('pong');
    const values = await Promise.all(Array.from({ length: 200 }, (_, i) => s.get(`key${i}`)));
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => `value${i}`));
    expect(await s.get('hits')).toBe('100');
    expect(await s.lrange('events', 0, -1)).toEqual(Array.from({ length: 50 }, (_, i) => `e${i}`));
    expect(await s.get('removed')).toBeNull();
    expect(await s.get('once')).toBe('first');
    expect(await s.incr('hits')).toBe(101);
  });

  it('writes acknowledged while the storage is being killed are all there after the restart', async () => {
    const { proc, storage: s } = await start();
    let ackedIncrs = 0;
    let attemptedIncrs = 0;
    const ackedPushes: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          attemptedIncrs++;
          await s.incr('n');
          ackedIncrs++;
          await s.rpush('log', `w${w}-${i}`);
          ackedPushes.push(`w${w}-${i}`);
        } catch {
          return;
        }
      }
    };
    const workers = Promise.all([0, 1, 2, 3].map(worker));
    await waitFor(() => expect(ackedIncrs).toBeGreaterThanOrEqual(300));
    await proc.kill('SIGKILL');
    stop = true;
    await workers;

    await proc.restart();
    const n = Number(await s.get('n'));
    expect(n).toBeGreaterThanOrEqual(ackedIncrs);
    expect(n).toBeLessThanOrEqual(attemptedIncrs);
    const log = await s.lrange('log', 0, -1);
    expect(log).toEqual(expect.arrayContaining(ackedPushes));
    expect(log.length).toBeLessThanOrEqual(ackedPushes.length + 4);
  });

  it('flush is durable too', async () => {
    const { proc, storage: s } = await start();
    await s.set('before', '1');
    await s.rpush('before-list', '1');
    await s.flush();
    await s.set('after', '2');
    await proc.kill('SIGKILL');
    await proc.restart();
    expect(await s.get('before')).toBeNull();
    expect(await s.lrange('before-list', 0, -1)).toEqual([]);
    expect(await s.get('after')).toBe('2');
  });

  it('a torn last journal line is ignored with a warning, and cut so later writes are clean', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'journal.jsonl'),
      ['{"op":"set","key":"a","value":"1"}', '{"op":"rpush","key":"l","values":["x","y"]}', '{"op":"set","key":"torn","val'].join('\n'),
    );
    const { proc, storage: s } = await start(dir);
    expect(proc.log()).toMatch(/warning: .*journal\.jsonl: ignoring a torn last line/);
    expect(await s.get('a')).toBe('1');
    expect(await s.lrange('l', 0, -1)).toEqual(['x', 'y']);
    expect(await s.get('torn')).toBeNull();
    expect(await s.set('b', '2')).toBe(true);

    await proc.stop();
    await proc.restart();
    expect(proc.log().match(/torn last line/g)).toHaveLength(1);
    expect(await s.get('a')).toBe('1');
    expect(await s.get('b')).toBe('2');
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('a last line that lacks only its newline is kept', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'journal.jsonl'), '{"op":"set","key":"a","value":"1"}');
    const { proc, storage: s } = await start(dir);
    expect(await s.get('a')).toBe('1');
    await s.set('b', '2');
    await proc.kill('SIGKILL');
    await proc.restart();
    expect(await s.get('a')).toBe('1');
    expect(await s.get('b')).toBe('2');
    expect(proc.log()).not.toMatch(/torn/);
  });

  it('a damaged line in the middle of the journal stops the storage from starting, with a clear error', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'journal.jsonl'), '{"op":"set","key":"a","value":"1"}\nGARBAGE\n{"op":"set","key":"b","value":"2"}\n');
    await expect(startStorage({ dir })).rejects.toThrow(/journal\.jsonl line 2 is damaged \("GARBAGE"\)/);
  });

  it('a directory belongs to one storage at a time', async () => {
    const { proc, dir } = await start();
    await expect(startStorage({ dir })).rejects.toThrow(new RegExp(`in use by process ${proc.pid}`));
    expect(await Storage.connect(proc.url).ping()).toBe('pong');
  });

  it('stop ends the process; nothing is left running', async () => {
    const { proc } = await start();
    const pid = proc.pid;
    await proc.stop();
    expect(isAlive(pid)).toBe(false);
    expect((await failure(Storage.connect(proc.url).ping())).reason).toBe('unreachable');
  });
});

describe('the storage at the network edge', () => {
  it('refuses a client without the token, or with a wrong one, and changes nothing', async () => {
    const { proc, storage: s } = await start();
    await s.set('secret', 'kept');
    const { origin } = split(proc.url);
    for (const url of [origin, origin.replace('http://', 'http://distsys:not-the-right-token-at-all@')]) {
      const err = await failure(Storage.connect(url).set('secret', 'overwritten'));
      expect(err.reason).toBe('denied');
      expect(err.message).toMatch(/^set: the storage at http:\/\/127\.0\.0\.1:\d+ refused this client: (its URL carries no token|the token in its URL is not the one)/);
      expect(err.message).not.toContain(split(proc.url).auth.authorization?.slice(7));
    }
    expect((await post(origin, '{"command":"flush"}', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect(await s.get('secret')).toBe('kept');
  });

  it('refuses web pages (a request with an Origin), even with the token', async () => {
    const { proc, storage: s } = await start();
    const res = await post(proc.url, '{"command":"set","args":["k","from a page"]}', { headers: { origin: 'http://evil.example', 'content-type': 'text/plain' } });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/^the storage does not answer web pages/);
    expect(await s.get('k')).toBeNull();
  });

  it('answers a body over the limit with 413 without reading the rest of it', async () => {
    const { proc, storage: s } = await start();
    const { origin, auth } = split(proc.url);
    const port = Number(new URL(origin).port);
    // A chunked upload that would never end: the answer comes after about 1 MiB, and the connection closes.
    const socket = connect(port, '127.0.0.1');
    let failure = 'none';
    socket.on('error', (err: NodeJS.ErrnoException) => (failure = err.code ?? err.message));
    const began = Date.now();
    socket.write(`POST /command HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth.authorization}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    // A client busy sending (or on a loaded laptop) reads its answer late: this one reads nothing
    // until it has sent 4 MiB, well past the limit. The answer must still be there for it then.
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let sent = 0;
    const chunk = `${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`;
    let open = true;
    void closed.then(() => (open = false));
    while (open && sent < 64 * 1024 * 1024) {
      sent += 64 * 1024;
      if (sent >= 4 * 1024 * 1024) socket.resume();
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
    }
    await closed;
    expect(answer, `the client sent ${sent} bytes in ${Date.now() - began} ms and saw the connection close (socket error: ${failure}) without an answer`).toMatch(/^HTTP\/1\.1 413/);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect(await s.ping()).toBe('pong');
  });

  it('holds at most its quota: a write that would exceed it is refused, and nothing is lost', async () => {
    const { proc, storage: s } = await start(newDir(), { maxMb: 1 });
    const big = 'x'.repeat(600 * 1024);
    expect(await s.set('first', big)).toBe(true);
    const err = await failure(s.set('second', big));
    expect(err.reason).toBe('rejected');
    expect(err.message).toMatch(/^set: the storage is full: it holds 0\.6 MiB of data, its limit is 1\.0 MiB/);
    expect(await s.get('first')).toBe(big);
    expect(await s.get('second')).toBeNull();
    // Smaller writes and replacements fit; deleting makes room; a restart counts the same.
    expect(await s.set('first', 'small')).toBe(true);
    expect(await s.set('second', big)).toBe(true);
    await proc.restart();
    expect((await failure(s.rpush('list', big))).message).toMatch(/the storage is full/);
    expect(await s.del('second')).toBe(1);
    expect(await s.rpush('list', big)).toBe(1);
  });
});
