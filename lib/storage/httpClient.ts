// The client of the kit's embedded storage: one HTTP request per command, so
// there is no connection to lose, the token in an Authorization header, and at
// most a few commands in flight per storage from one process.
import { StorageError, type Call } from './errors.ts';
import { commands, COMMAND_PATH, storageReply, type CommandName, type CommandResult, type StorageAddress } from './protocol.ts';

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

/** Commands to the embedded storage at `address`, one HTTP request each. */
export function httpCall(address: StorageAddress, timeoutMs: number): Call {
  // Messages name the origin, never the token.
  const url = address.origin;
  const endpoint = `${url}${COMMAND_PATH}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (address.token) headers.authorization = `Bearer ${address.token}`;

  return async function call<C extends CommandName>(command: C, args: unknown[]): Promise<CommandResult<C>> {
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
