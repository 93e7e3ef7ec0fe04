// Erlang's rpc: run a function on another node and get its result. As in Erlang,
// a function is named by module and export (code never crosses the wire): the
// module is a file URL (`import.meta.url`), an absolute path, or a package or
// `node:` builtin name that the remote node can import. Every node runs a `rex`
// server that answers, each call in a process of its own.
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CallError, GenServer, type GenServerModule } from './genServer.ts';
import { exit, spawn, whereis } from './process/index.ts';
import type { NodeName } from './terms.ts';

const REX = 'rex';

interface RpcRequest { module: string; fun: string; args: unknown[] }
type RpcOutcome = { ok: unknown } | { error: unknown };

/** Why `rpc.call` has no result: `nodedown`, `timeout`, `noproc`, or the error the function threw (`cause`). */
export class RpcError extends Error {
  override name = 'RpcError';
  readonly reason: 'nodedown' | 'timeout' | 'noproc' | 'raised';
  constructor(message: string, reason: RpcError['reason'], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

/** A Windows path: `C:\\app\\x.ts`, `C:/app/x.ts`, `\\\\server\\share\\x.ts`. */
const WINDOWS_PATH = /^(?:[A-Za-z]:[\\/]|\\\\)/;

/** The specifier the remote node imports: a file URL for a path, on any system (`file:///C:/app/x.ts` for a drive letter). */
export function specifier(module: string): string {
  if (module.startsWith('file:') || module.startsWith('node:')) return module;
  // Not `C:` read as a URL scheme, nor (on Linux or macOS) as a relative name.
  if (WINDOWS_PATH.test(module)) return pathToFileURL(module, { windows: true }).href;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith('.')) {
    throw new Error(`rpc: cannot resolve the relative module ${module} on another node; pass import.meta.url or an absolute path`);
  }
  return module; // a package name
}

async function run({ module, fun, args }: RpcRequest): Promise<RpcOutcome> {
  try {
    const mod = (await import(module)) as Record<string, unknown>;
    const f = mod[fun];
    if (typeof f !== 'function') return { error: new Error(`${module} has no exported function ${fun}`) };
    return { ok: await (f as (...a: unknown[]) => unknown)(...args) };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/** The rex server: one per node, registered as `rex`. */
const Rex: GenServerModule<null> = {
  name: 'rex',
  init: () => null,
  handleCall(request: RpcRequest, from, state) {
    spawn(async () => {
      const outcome = await run(request);
      try {
        GenServer.reply(from, outcome);
      } catch (err) {
        GenServer.reply(from, { error: new Error(`${request.fun} returned a value that cannot cross between nodes: ${(err as Error).message}`) });
      }
    });
    return { noreply: true, state };
  },
};

export const rpc = {
  /**
   * Calls `fun(...args)` exported by `module` on `node` and returns its result.
   * Throws RpcError: reason 'nodedown' if the node cannot be reached, 'timeout', or
   * 'raised' with the remote error as `cause` (its message and remote stack kept).
   */
  async call<R = unknown>(node: NodeName, module: string, fun: string, args: unknown[] = [], timeout = Infinity): Promise<R> {
    const request: RpcRequest = { module: specifier(module), fun, args };
    let outcome: RpcOutcome;
    try {
      outcome = await GenServer.call<RpcOutcome>({ name: REX, node }, request, timeout);
    } catch (err) {
      if (err instanceof CallError && typeof err.reason === 'string') {
        throw new RpcError(`rpc.call(${node}, ${fun}) failed: ${err.reason}`, err.reason, err);
      }
      throw err;
    }
    if ('error' in outcome) {
      const remote = outcome.error;
      const text = remote instanceof Error ? `${remote.name}: ${remote.message}` : String(remote);
      throw new RpcError(`rpc.call(${node}, ${fun}) raised ${text}`, 'raised', remote);
    }
    return outcome.ok as R;
  },
};

/** Starts this node's rex server (Node.start does). */
export async function startRex(): Promise<void> {
  if (!whereis(REX)) await GenServer.start(Rex, undefined, { name: REX });
}

export function stopRex(): void {
  const pid = whereis(REX);
  if (pid) exit(pid, 'kill');
}
