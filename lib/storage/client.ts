// A node's (or a script's) side of the storage: the kit's embedded storage over
// HTTP (httpClient.ts), or a real Redis for a room that outgrows one laptop
// (redisClient.ts), behind one API with the same errors. While the storage is
// down (or restarting) calls fail with a StorageError; once it is back on the
// same URL they work again.
import { StorageError, type Call } from './errors.ts';
import { httpCall } from './httpClient.ts';
import { parseRequest, parseStorageUrl, STORAGE_URL_ENV, storageUrlFromEnv, type StorageAddress } from './protocol.ts';

export { StorageError, type StorageFailure } from './errors.ts';

export interface Storage {
  /** The storage's URL as given, token included, e.g. http://distsys:TOKEN@127.0.0.1:40211 */
  readonly url: string;
  ping(): Promise<'pong'>;
  /** The string at `key`, or null if there is none. */
  get(key: string): Promise<string | null>;
  /** Sets `key`; with `{ nx: true }` only if it does not exist yet. True if it was set. */
  set(key: string, value: string, options?: { nx?: boolean }): Promise<boolean>;
  /** Removes `key`: 1 if it was there, 0 if not. */
  del(key: string): Promise<number>;
  /** Adds `by` (default 1, may be negative) to the integer at `key` (0 if missing); the new value. */
  incr(key: string, by?: number): Promise<number>;
  /** Appends values to the list at `key` (created if missing); the list's new length. */
  rpush(key: string, ...values: string[]): Promise<number>;
  /** Elements `start` to `stop` of the list at `key`, both inclusive; negative counts from the end (-1 is the last). */
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  /** Drops every key. */
  flush(): Promise<true>;
}

export interface StorageOptions {
  /** How long one command may take. Default 5 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

export const Storage = {
  /**
   * A client for the storage at `url`, or at DISTSYS_STORAGE_URL when no URL is
   * given: `http://distsys:TOKEN@host:port` (the embedded storage) or
   * `redis://:PASSWORD@host:6379` (a Redis server). Nothing is sent yet: a wrong URL
   * is a StorageError here, an absent storage one at the first command (try
   * `await storage.ping()`).
   */
  connect(url?: string, options: StorageOptions = {}): Storage {
    let address: StorageAddress | undefined;
    try {
      address = url !== undefined ? parseStorageUrl(url, `the storage URL ${JSON.stringify(url)}`) : storageUrlFromEnv();
    } catch (err) {
      throw new StorageError((err as Error).message, 'config');
    }
    if (address === undefined) {
      throw new StorageError(`no storage URL: pass one to Storage.connect(url) or set ${STORAGE_URL_ENV} (\`distsys storage --dir DIR\` prints its URL)`, 'config');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const send = address.kind === 'redis' ? onRedis(address, timeoutMs) : httpCall(address, timeoutMs);
    return api(address.url, checked(send));
  },
};

/**
 * Commands to a Redis. Its client (node-redis) is loaded on the first command only: a node
 * that never uses a Redis, which is nearly every node, starts without it.
 */
function onRedis(address: StorageAddress, timeoutMs: number): Call {
  let call: Promise<Call> | undefined;
  return async (command, args) => {
    call ??= import('./redisClient.ts').then((m) => m.redisCall(address, timeoutMs));
    return (await call)(command, args);
  };
}

/** Checks a command's arguments here, with the words the embedded storage would use, before sending it. */
function checked(send: Call): Call {
  return (command, args) => {
    const parsed = parseRequest({ command, args });
    if (!parsed.ok) return Promise.reject(new StorageError(parsed.error, 'rejected', command));
    return send(command, args);
  };
}

function api(url: string, call: Call): Storage {
  return {
    url,
    ping: () => call('ping', []),
    get: (key) => call('get', [key]),
    // Trailing optional arguments are left out, not sent as null.
    set: (key, value, options) => call('set', options === undefined ? [key, value] : [key, value, options]),
    del: (key) => call('del', [key]),
    incr: (key, by) => call('incr', by === undefined ? [key] : [key, by]),
    rpush: (key, ...values) => call('rpush', [key, ...values]),
    lrange: (key, start, stop) => call('lrange', [key, start, stop]),
    flush: () => call('flush', []),
  };
}
