// Erlang's rpc: run a function on another node and get its result. As in Erlang,
// a function is named by module and export (code never crosses the wire): the
// module is a file URL (`import.meta.url`), an absolute path, or a package or
// `node:` builtin name that the remote node can import. Every node runs a `rex`
// server that answers, each call in a process of its own.
//
// In Erlang mode (`Node.start(..., { dist: 'erlang' })`) the request is Erlang's
// own, `{call, Module, Function, Args, user}` with atoms, so `rpc.call` reaches an
// erl node's rex (`rpc.call(node, 'erlang', 'node')`), and the reply is Erlang's
// (the value, or `{badrpc, Reason}`). The kit's rex answers that shape too, from any
// node: kit modules by their specifier, and `erlang:node/0` and `erlang:nodes/0,1`
// as an Erlang node would (a hidden one: its nodes() is []).
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentKernel, knownNodes } from './distribution/current.ts';
import { reasonToErlang } from './erlang/reasons.ts';
import { Atom, Tuple, atom, isAtom, isTuple, tuple } from './erlang/terms.ts';
import { CallError, GenServer, type GenServerModule } from './genServer.ts';
import { localNode } from './localNode.ts';
import { exit, spawn, whereis } from './process/index.ts';
import { formatReason, type NodeName } from './terms.ts';

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

// ---- Erlang's shape: {call, Module, Function, Args, GroupLeader}

/** Erlang's `nodes/1` on this node, which Erlang sees hidden: its connections are all hidden ones. */
function nodesOf(kinds: unknown): Atom[] {
  const list = Array.isArray(kinds) ? kinds : [kinds];
  const peers = knownNodes().slice(1);
  const out = new Set<string>();
  for (const kind of list) {
    const name = isAtom(kind) ? kind.name : undefined;
    if (name === 'this' || name === 'known') out.add(localNode.name);
    if (name === 'hidden' || name === 'connected' || name === 'known') for (const n of peers) out.add(n);
  }
  return [...out].map(atom);
}

/** The request `{call, M, F, A, _}` as the kit runs it: `erlang:node/0` and `erlang:nodes/0,1` here, any other module imported. */
function erlangRequest(request: unknown): (() => Promise<unknown>) | undefined {
  if (!isTuple(request, 5) || !isAtom(request.elements[0], 'call')) return undefined;
  const [, module, fun, args] = request.elements;
  if (!isAtom(module) || !isAtom(fun) || !Array.isArray(args)) return undefined;
  if (module.name === 'erlang' && fun.name === 'node' && args.length === 0) return async () => atom(localNode.name);
  if (module.name === 'erlang' && fun.name === 'nodes' && args.length <= 1) return async () => nodesOf(args.length === 0 ? atom('visible') : args[0]);
  return async () => {
    const outcome = await run({ module: specifier(module.name), fun: fun.name, args });
    return 'ok' in outcome ? outcome.ok : badrpc(outcome.error);
  };
}

/** Erlang's answer for an rpc that raised: `{badrpc, {'EXIT', Reason}}`. */
const badrpc = (reason: unknown): Tuple => tuple(atom('badrpc'), tuple(atom('EXIT'), reasonToErlang(reason)));

/** The rex server: one per node, registered as `rex`. */
const Rex: GenServerModule<null> = {
  name: 'rex',
  init: () => null,
  handleCall(request: RpcRequest | Tuple, from, state) {
    const erlang = erlangRequest(request);
    spawn(async () => {
      if (erlang) {
        const value = await erlang();
        try {
          GenServer.reply(from, value);
        } catch (err) {
          GenServer.reply(from, badrpc(`the result has no Erlang form: ${(err as Error).message}`));
        }
        return;
      }
      const outcome = await run(request as RpcRequest);
      try {
        GenServer.reply(from, outcome);
      } catch (err) {
        GenServer.reply(from, { error: new Error(`${(request as RpcRequest).fun} returned a value that cannot cross between nodes: ${(err as Error).message}`) });
      }
    });
    return { noreply: true, state };
  },
};

/** A module named for Erlang: an Erlang module's own name (`lists`), else the kit's specifier, as an atom. */
function moduleAtom(module: string): Atom {
  const name = /^[a-z][A-Za-z0-9_@]*$/.test(module) ? module : specifier(module);
  try {
    return atom(name);
  } catch (err) {
    throw new Error(`rpc.call in Erlang mode names the module with an atom: ${(err as Error).message} (${name})`);
  }
}

export const rpc = {
  /**
   * Calls `fun(...args)` exported by `module` on `node` and returns its result.
   * Throws RpcError: reason 'nodedown' if the node cannot be reached, 'timeout', or
   * 'raised' with the remote error as `cause` (its message and remote stack kept).
   */
  async call<R = unknown>(node: NodeName, module: string, fun: string, args: unknown[] = [], timeout = Infinity): Promise<R> {
    if (currentKernel()?.protocol === 'erlang') return callErlang<R>(node, module, fun, args, timeout);
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

/** rpc.call in Erlang mode: Erlang's request to the node's rex, and Erlang's reply. */
async function callErlang<R>(node: NodeName, module: string, fun: string, args: unknown[], timeout: number): Promise<R> {
  const request = tuple(atom('call'), moduleAtom(module), atom(fun), args, atom('user'));
  let reply: unknown;
  try {
    reply = await GenServer.call({ name: REX, node }, request, timeout);
  } catch (err) {
    if (err instanceof CallError && typeof err.reason === 'string') {
      throw new RpcError(`rpc.call(${node}, ${fun}) failed: ${err.reason}`, err.reason, err);
    }
    throw err;
  }
  if (isTuple(reply, 2) && isAtom(reply.elements[0], 'badrpc')) {
    const reason = reply.elements[1];
    throw new RpcError(`rpc.call(${node}, ${module}:${fun}) raised ${formatReason(reason)}`, 'raised', reason);
  }
  return reply as R;
}

/** Starts this node's rex server (Node.start does). */
export async function startRex(): Promise<void> {
  if (!whereis(REX)) await GenServer.start(Rex, undefined, { name: REX });
}

export function stopRex(): void {
  const pid = whereis(REX);
  if (pid) exit(pid, 'kill');
}
