// The storage on a real Redis, for a room that outgrows one laptop: the same
// commands with the same results and the same errors as the embedded store
// (`DISTSYS_STORAGE_URL=redis://:PASSWORD@host:6379`). The client is
// node-redis, the Redis project's own: one connection per URL and process, that
// does not keep the process alive, reconnects by itself, and never queues a
// command while disconnected (it fails at once, as the embedded client does).
import { createClient, ErrorReply } from 'redis';
import { StorageError, type Call } from './errors.ts';
import {
  notAnIntegerMessage, overflowMessage, wrongTypeMessage, type CommandArgs, type CommandName, type CommandResult, type StorageAddress,
} from './protocol.ts';

function newClient(url: string, timeoutMs: number) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
  });
}
type Redis = ReturnType<typeof newClient>;

const connections = new Map<string, Promise<Redis>>();

/** Commands to the Redis at `address`. */
export function redisCall(address: StorageAddress, timeoutMs: number): Call {
  const where = address.origin;
  const connection = (command: CommandName): Promise<Redis> => {
    let found = connections.get(address.url);
    if (!found) {
      found = connect(address, timeoutMs);
      connections.set(address.url, found);
      found.catch(() => connections.delete(address.url));
    }
    return found.catch((err: unknown) => {
      throw failure(err, command, where, timeoutMs);
    });
  };
  return async function call<C extends CommandName>(command: C, args: unknown[]): Promise<CommandResult<C>> {
    const redis = await connection(command);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StorageError(`${command}: the storage at ${where} did not answer within ${timeoutMs} ms (the command may or may not have run)`, 'timeout', command)), timeoutMs);
    });
    try {
      return (await Promise.race([run(redis, command, args as never), late])) as CommandResult<C>;
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw failure(err, command, where, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function connect(address: StorageAddress, timeoutMs: number): Promise<Redis> {
  const redis = newClient(address.url, timeoutMs);
  // Errors while connecting say why it cannot (refused, wrong password); later ones reach the commands.
  let lastError: unknown;
  let refusedUs: ((err: unknown) => void) | undefined;
  redis.on('error', (err: unknown) => {
    lastError = err;
    // Nothing listens, or it does not let us in: say so now, as the embedded client does.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || (err instanceof ErrorReply && /^(NOAUTH|WRONGPASS)/.test(err.message))) refusedUs?.(err);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        refusedUs = reject;
        timer = setTimeout(() => reject(lastError ?? Object.assign(new Error(`no connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
      }),
    ]);
  } catch (err) {
    redis.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  redis.unref(); // an open connection does not keep a script or a test alive
  return redis;
}

async function run<C extends CommandName>(redis: Redis, command: C, args: CommandArgs<C>): Promise<unknown> {
  const a = args as unknown[];
  const key = a[0] as string;
  switch (command) {
    case 'ping':
      return (await redis.ping()) === 'PONG' ? 'pong' : Promise.reject(new Error('PING was not answered PONG'));
    case 'get':
      return await wrongType(command, key, redis.get(key));
    case 'set': {
      const nx = (a[2] as { nx?: boolean } | undefined)?.nx === true;
      return (await redis.set(key, a[1] as string, nx ? { condition: 'NX' } : {})) === 'OK';
    }
    case 'del':
      return await redis.del(key);
    case 'incr':
      return await incr(redis, key, (a[1] as number | undefined) ?? 1);
    case 'rpush':
      return await wrongType(command, key, redis.rPush(key, a.slice(1) as string[]));
    case 'lrange':
      return await wrongType(command, key, redis.lRange(key, a[1] as number, a[2] as number));
    case 'flush':
      return (await redis.flushDb()) === 'OK';
  }
  throw new Error(`unknown command ${command}`);
}

async function wrongType<T>(command: 'get' | 'incr' | 'rpush' | 'lrange', key: string, reply: Promise<T>): Promise<T> {
  try {
    return await reply;
  } catch (err) {
    if (err instanceof ErrorReply && err.message.startsWith('WRONGTYPE')) throw new StorageError(wrongTypeMessage(command, key), 'rejected', command);
    throw err;
  }
}

/**
 * INCRBY, within the safe integer range the embedded store keeps (Redis's own is 64 bits):
 * a result past it is undone and refused. The undo is a second command, so another client
 * could glimpse the value in between; only counts past 2^53 ever meet it.
 */
async function incr(redis: Redis, key: string, by: number): Promise<number> {
  let next: number;
  try {
    next = await wrongType('incr', key, redis.incrBy(key, by));
  } catch (err) {
    if (err instanceof ErrorReply && /not an integer/.test(err.message)) {
      throw new StorageError(notAnIntegerMessage(key, (await redis.get(key).catch(() => null)) ?? ''), 'rejected', 'incr');
    }
    if (err instanceof ErrorReply && /overflow/.test(err.message)) {
      throw new StorageError(overflowMessage(Number(await redis.get(key)), by), 'rejected', 'incr');
    }
    throw err;
  }
  if (!Number.isSafeInteger(next)) {
    await redis.decrBy(key, by);
    throw new StorageError(overflowMessage(next - by, by), 'rejected', 'incr');
  }
  return next;
}

function failure(err: unknown, command: CommandName, where: string, timeoutMs: number): StorageError {
  if (err instanceof StorageError) return err;
  if (err instanceof ErrorReply) {
    if (/^(NOAUTH|WRONGPASS)/.test(err.message)) {
      return new StorageError(`${command}: the Redis at ${where} refused this client: ${err.message} (is the password in the URL right?)`, 'denied', command, err);
    }
    if (/^OOM/.test(err.message)) return new StorageError(`${command}: the storage is full: the Redis at ${where} said ${err.message}`, 'rejected', command, err);
    return new StorageError(`${command}: the Redis at ${where} refused it: ${err.message}`, 'failed', command, err);
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new StorageError(`${command}: the storage at ${where} is not reachable (${code}); is redis-server running there?`, 'unreachable', command, err);
  }
  const message = (err as Error).message ?? String(err);
  if (/closed|offline|socket/i.test(message)) {
    return new StorageError(`${command}: the connection to the storage at ${where} broke (${message}); it may have stopped, and the command may or may not have run`, 'broken', command, err);
  }
  return new StorageError(`${command}: the storage at ${where} failed within ${timeoutMs} ms: ${message}`, 'failed', command, err);
}
