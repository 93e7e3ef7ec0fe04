// A node's (or a script's) side of the storage: one HTTP request per command,
// so there is no connection to lose. While the storage is down (or restarting)
// calls fail with a StorageError; once it is back on the same URL they work again.
import {
  commands, COMMAND_PATH, parseStorageUrl, STORAGE_URL_ENV, storageReply, storageUrlFromEnv,
  type CommandName, type CommandResult, type StorageAddress,
} from './protocol.ts';

export type StorageFailure =
  /** The storage refused the command (unknown, bad argument, WRONGTYPE, not an integer, full): the message is its own. */
  | 'rejected'
  /** The storage refused the client: no token or a wrong one in the URL. */
  | 'denied'
  /** Nothing answers at the URL. */
  | 'unreachable'
  /** No answer in time, or the connection broke mid-command: the command may or may not have run. */
  | 'timeout'
  | 'broken'
  /** The storage failed to do it (its journal could not be written), or answered nonsense. */
  | 'failed'
  /** No URL, or not a usable one. */
  | 'config';

export class StorageError extends Error {
  override name = 'StorageError';
  readonly reason: StorageFailure;
  /** The command that failed, if one was sent. */
  readonly command: CommandName | undefined;
  constructor(message: string, reason: StorageFailure, command?: CommandName, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.command = command;
  }
}

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

/**
 * At most this many commands in flight from this process to one storage; the rest wait their
 * turn. A burst (Promise.all over a thousand keys) then reuses a few connections instead of
 * opening one per command, which the storage would turn away as a flood.
 */
const MAX_IN_FLIGHT = 32;
const lanes = new Map<string, { active: number; queue: Array<() => void> }>();

async function inTurn<T>(origin: string, work: () => Promise<T>): Promise<T> {
  let lane = lanes.get(origin);
  if (!lane) {
    lane = { active: 0, queue: [] };
    lanes.set(origin, lane);
  }
  const l = lane;
  if (l.active >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => l.queue.push(resolve));
  l.active++;
  try {
    return await work();
  } finally {
    l.active--;
    l.queue.shift()?.();
  }
}

export const Storage = {
  /**
   * A client for the storage at `url`, or at DISTSYS_STORAGE_URL when no URL is
   * given. Nothing is sent yet: a wrong URL is a StorageError here, an absent
   * storage one at the first command (try `await storage.ping()`).
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
    return client(address, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  },
};

function client(address: StorageAddress, timeoutMs: number): Storage {
  // Messages name the origin, never the token.
  const url = address.origin;
  const endpoint = `${url}${COMMAND_PATH}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (address.token) headers.authorization = `Bearer ${address.token}`;

  async function call<C extends CommandName>(command: C, args: unknown[]): Promise<CommandResult<C>> {
    const body = JSON.stringify({ command, args });
    const { status, text } = await inTurn(url, async () => {
      try {
        const response = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        return { status: response.status, text: await response.text() };
      } catch (err) {
        throw networkError(url, command, timeoutMs, err);
      }
    });
    if (status === 401 || status === 403) {
      const why = address.token ? 'the token in its URL is not the one the storage expects' : 'its URL carries no token';
      throw new StorageError(`${command}: the storage at ${url} refused this client: ${why} (use the whole URL \`distsys storage\` printed)`, 'denied', command);
    }
    const reply = storageReply.safeParse(safeJson(text));
    if (!reply.success) throw new StorageError(`${command}: the server at ${url} did not answer like a storage (HTTP ${status})`, 'failed', command);
    if (!reply.data.ok) throw new StorageError(reply.data.error, status >= 500 ? 'failed' : 'rejected', command);
    const result = commands[command].result.safeParse(reply.data.result);
    if (!result.success) throw new StorageError(`${command}: the storage at ${url} answered an unexpected result ${JSON.stringify(reply.data.result)}`, 'failed', command);
    return result.data as CommandResult<C>;
  }

  return {
    url: address.url,
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

function networkError(url: string, command: CommandName, timeoutMs: number, err: unknown): StorageError {
  // AbortSignal.timeout aborts with a DOMException named TimeoutError: its name is all that tells it from other aborts.
  if (err instanceof DOMException && err.name === 'TimeoutError') {
    return new StorageError(`${command}: the storage at ${url} did not answer within ${timeoutMs} ms (the command may or may not have run)`, 'timeout', command, err);
  }
  const code = errorCode(err);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EAI_AGAIN') {
    return new StorageError(`${command}: the storage at ${url} is not reachable (${code}); is \`distsys storage\` running there?`, 'unreachable', command, err);
  }
  return new StorageError(
    `${command}: the connection to the storage at ${url} broke (${code ?? (err as Error).message}); it may have stopped, and the command may or may not have run`,
    'broken',
    command,
    err,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The system error code under fetch's "fetch failed" (an AggregateError when a name has several addresses). */
function errorCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
  const code = cause?.code ?? cause?.errors?.find((e) => typeof e.code === 'string')?.code;
  return typeof code === 'string' ? code : undefined;
}
