// Elixir's GenServer: a process that holds state and answers calls, casts and
// plain messages through a module of callbacks. Calls fail the way Erlang's do
// (timeout, noproc, nodedown, or the server's own exit reason), as a CallError.
import { CodecError } from './codec.ts';
import { localNode } from './localNode.ts';
import { knownNodes } from './distribution/current.ts';
import {
  ReceiveTimeout, demonitor, exit, exitSelf, monitor, receive, register, self, send, spawn, whereis, type SpawnOptions,
} from './process/index.ts';
import {
  callMsg, castMsg, genServerEnvelope, isGen, isReplyTo, readReply, replyMsg, stopMsg, type CallMsg, type CastMsg, type From, type StopMsg,
} from './genServerMessages.ts';
import { formatReason, isDown, isExit, isPid, samePid, sameRef, type DownMessage, type NodeName, type Pid, type Ref, type RemoteName } from './terms.ts';

export { genServerEnvelope, type From };

export type CallResult<S, R = unknown> =
  | { reply: R; state: S }
  | { noreply: true; state: S }
  | { stop: unknown; state: S; reply?: R };

export type CastResult<S> = { noreply: true; state: S } | { stop: unknown; state: S };

/** The callbacks of a GenServer. Only `init` is required; every callback may be async. */
export interface GenServerModule<S, A = unknown> {
  /** A name for logs and errors ("Counter"). */
  readonly name?: string;
  /** Returns the first state; throwing makes `start` fail with that error. */
  init(args: A): S | Promise<S>;
  handleCall?(request: any, from: From, state: S): CallResult<S> | Promise<CallResult<S>>;
  handleCast?(msg: any, state: S): CastResult<S> | Promise<CastResult<S>>;
  handleInfo?(msg: unknown, state: S): CastResult<S> | Promise<CastResult<S>>;
  terminate?(reason: unknown, state: S): void | Promise<void>;
}

/** A server: a pid, a name registered on this node, or `{name, node}`. */
export type ServerRef = Pid | string | RemoteName;

export interface StartOptions {
  /** Register the server under this name on this node. */
  name?: string;
  /** How long `init` may take, in ms (default 5000). */
  timeout?: number;
}

export type CallFailure = 'timeout' | 'noproc' | 'nodedown' | { exit: unknown };

/** Why a `GenServer.call` did not get a reply; `reason` is Erlang's exit reason for it. */
export class CallError extends Error {
  override name = 'CallError';
  readonly reason: CallFailure;
  constructor(server: ServerRef, reason: CallFailure, cause?: unknown) {
    super(`GenServer.call to ${describeServer(server)} failed: ${explain(reason)}`, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

/** `start` failed: the name is taken (`pid` holds it) or `init` failed. */
export class StartError extends Error {
  override name = 'StartError';
  readonly pid: Pid | undefined;
  constructor(message: string, pid?: Pid, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.pid = pid;
  }
}

function explain(reason: CallFailure): string {
  if (reason === 'timeout') return 'timeout (no reply in time; the server may be busy or stuck)';
  if (reason === 'noproc') return 'noproc (no such process is alive)';
  if (reason === 'nodedown') return 'nodedown (its node is not reachable)';
  const r = reason.exit;
  return r instanceof Error ? `the server crashed: ${formatReason(r)}` : `the server exited: ${formatReason(r)}`;
}

function describeServer(server: ServerRef): string {
  if (typeof server === 'string') return server;
  if (isPid(server)) return server.toString();
  return `{${server.name}, ${server.node}}`;
}

// ---- the messages a GenServer understands (genServerMessages.ts), and start's acknowledgement

interface AckMsg { $genAck: Ref; error?: unknown }

function isDownOf(ref: Ref) {
  return (msg: unknown): boolean => isDown(msg) && sameRef(msg.ref, ref);
}

// ---- the server loop

async function serve<S>(module: GenServerModule<S>, state: S, parent: Pid): Promise<never> {
  const label = module.name ?? 'GenServer';
  const finish = async (reason: unknown, s: S): Promise<never> => {
    if (module.terminate) await module.terminate(reason, s);
    return exitSelf(reason);
  };
  for (;;) {
    const msg = await receive();
    let result: CallResult<S> | CastResult<S>;
    try {
      if (isGen(msg, 'call')) {
        const { from, request } = msg as CallMsg;
        if (!module.handleCall) throw new Error(`${label} does not handle calls (no handleCall), got ${formatReason(request)}`);
        result = await module.handleCall(request, from, state);
        if ('reply' in result) GenServer.reply(from, result.reply);
      } else if (isGen(msg, 'stop')) {
        return finish((msg as StopMsg).reason, state);
      } else if (isGen(msg, 'cast')) {
        if (!module.handleCast) throw new Error(`${label} does not handle casts (no handleCast), got ${formatReason((msg as CastMsg).msg)}`);
        result = await module.handleCast((msg as CastMsg).msg, state);
      } else if (isExit(msg) && samePid(msg.from, parent)) {
        // Trapping exits, the parent's exit stops the server, as in OTP.
        return finish(msg.reason, state);
      } else if (module.handleInfo) {
        result = await module.handleInfo(msg, state);
      } else {
        continue; // Erlang logs and drops unexpected messages; so do we, quietly
      }
    } catch (err) {
      // A crash in a callback ends the server with that error, after terminate, as in OTP.
      if (module.terminate) {
        try {
          await module.terminate(err, state);
        } catch {
          // the original crash is the reason that counts
        }
      }
      throw err;
    }
    state = result.state;
    if ('stop' in result) return finish(result.stop, state);
  }
}

function startServer<S, A>(module: GenServerModule<S, A>, args: A, options: StartOptions, spawnOpts: SpawnOptions): Promise<Pid> {
  if (options.name !== undefined) {
    const holder = whereis(options.name);
    if (holder) return Promise.reject(new StartError(`cannot start ${module.name ?? 'GenServer'}: already started as ${options.name} (${holder.toString()})`, holder));
  }
  const parent = self();
  const ack = localNode.makeRef();
  const pid = spawn(async () => {
    let state: S;
    try {
      if (options.name !== undefined) register(options.name);
      state = await module.init(args);
    } catch (err) {
      send(parent, { $genAck: ack, error: err } satisfies AckMsg);
      throw err;
    }
    send(parent, { $genAck: ack } satisfies AckMsg);
    return serve(module as GenServerModule<S>, state, parent);
  }, { ...spawnOpts, label: module.name ?? 'GenServer' });
  const timeout = options.timeout ?? 5000;
  return receive<AckMsg>((m) => typeof m === 'object' && m !== null && '$genAck' in m && sameRef((m as AckMsg).$genAck, ack), timeout).then(
    (reply) => {
      if ('error' in reply) throw new StartError(`${module.name ?? 'GenServer'} failed to start: ${formatReason(reply.error)}`, undefined, reply.error);
      return pid;
    },
    (err: unknown) => {
      exit(pid, 'kill');
      throw new StartError(`${module.name ?? 'GenServer'} did not finish init within ${timeout} ms`, undefined, err);
    },
  );
}

function toTarget(server: ServerRef): Pid | RemoteName {
  if (typeof server === 'string') return { name: server, node: localNode.name };
  return server;
}

function isLocal(server: ServerRef): boolean {
  return typeof server === 'string' || (!isPid(server) && server.node === localNode.name);
}

export const GenServer = {
  /** Starts a server, not linked to the caller; resolves with its pid once `init` has returned. */
  start<S, A>(module: GenServerModule<S, A>, args: A, options: StartOptions = {}): Promise<Pid> {
    return startServer(module, args, options, {});
  },

  /** Starts a server linked to the caller (what supervisors use). */
  startLink<S, A>(module: GenServerModule<S, A>, args: A, options: StartOptions = {}): Promise<Pid> {
    return startServer(module, args, options, { link: true });
  },

  /** Sends `request` and waits for the reply; throws CallError with reason timeout, noproc, nodedown or the exit. */
  async call<R = unknown>(server: ServerRef, request: unknown, timeout = 5000): Promise<R> {
    if (isLocal(server) && !whereis(typeof server === 'string' ? server : (server as RemoteName).name)) {
      throw new CallError(server, 'noproc');
    }
    const target = toTarget(server);
    const ref = monitor(target);
    send(target, callMsg({ pid: self(), ref }, request));
    let msg: unknown;
    try {
      msg = await receive((m) => isReplyTo(ref)(m) || isDownOf(ref)(m), timeout);
    } catch (err) {
      await demonitor(ref, { flush: true });
      if (err instanceof ReceiveTimeout) throw new CallError(server, 'timeout');
      throw err;
    }
    const reply = readReply(msg);
    if (reply) {
      await demonitor(ref, { flush: true });
      return reply.value as R;
    }
    const reason = (msg as DownMessage).reason;
    if (reason === 'noconnection') throw new CallError(server, 'nodedown');
    if (reason === 'noproc') throw new CallError(server, 'noproc');
    throw new CallError(server, { exit: reason }, reason);
  },

  /** Sends `msg` to the server's handleCast and returns at once; never fails. */
  cast(server: ServerRef, msg: unknown): 'ok' {
    try {
      send(typeof server === 'string' ? toTarget(server) : server, castMsg(msg));
    } catch (err) {
      if (err instanceof CodecError) throw err;
    }
    return 'ok';
  },

  /** Answers a call later, from anywhere (for a handleCall that returned noreply). */
  reply(from: From, value: unknown): 'ok' {
    send(from.pid, replyMsg(from, value));
    return 'ok';
  },

  /** Casts `msg` to the server registered as `name` on each node (this one and all connected, by default). */
  abcast(name: string, msg: unknown, nodes: NodeName[] = knownNodes()): 'abcast' {
    for (const node of nodes) GenServer.cast({ name, node }, msg);
    return 'abcast';
  },

  /**
   * Calls the server registered as `name` on each node at once and waits for all.
   * Returns each node's reply and the nodes that did not answer (down, no such server, or out of time).
   */
  async multiCall<R = unknown>(
    name: string,
    request: unknown,
    nodes: NodeName[] = knownNodes(),
    timeout = Infinity,
  ): Promise<{ replies: Map<NodeName, R>; badNodes: NodeName[] }> {
    const me = self();
    const waiting = new Map<string, { node: NodeName; ref: Ref }>();
    for (const node of new Set(nodes)) {
      const ref = monitor({ name, node });
      waiting.set(`${ref.id}`, { node, ref });
      send({ name, node }, callMsg({ pid: me, ref }, request));
    }
    const replies = new Map<NodeName, R>();
    const badNodes: NodeName[] = [];
    const deadline = Date.now() + timeout;
    const pendingOf = (m: unknown): { node: NodeName; ref: Ref } | undefined => {
      if (typeof m !== 'object' || m === null) return undefined;
      const ref = readReply(m)?.ref ?? (isDown(m) ? m.ref : undefined);
      const entry = ref ? waiting.get(`${ref.id}`) : undefined;
      return entry && sameRef(entry.ref, ref) ? entry : undefined;
    };
    while (waiting.size > 0) {
      let msg: unknown;
      try {
        msg = await receive((m) => pendingOf(m) !== undefined, Math.max(0, deadline - Date.now()));
      } catch {
        break;
      }
      const entry = pendingOf(msg) as { node: NodeName; ref: Ref };
      waiting.delete(`${entry.ref.id}`);
      const reply = readReply(msg);
      if (reply) {
        await demonitor(entry.ref, { flush: true });
        replies.set(entry.node, reply.value as R);
      } else badNodes.push(entry.node);
    }
    for (const { node, ref } of waiting.values()) {
      await demonitor(ref, { flush: true });
      badNodes.push(node);
    }
    return { replies, badNodes };
  },

  /** Stops a server: its terminate runs with `reason`, then it exits; resolves once it is gone. */
  async stop(server: ServerRef, reason: unknown = 'normal', timeout = 5000): Promise<void> {
    const target = toTarget(server);
    const ref = monitor(target);
    send(target, stopMsg(reason));
    const down = await receive<DownMessage>((m): m is DownMessage => isDownOf(ref)(m), timeout).catch(() => undefined);
    if (!down) throw new CallError(server, 'timeout');
    if (down.reason === 'noproc') throw new CallError(server, 'noproc');
    if (down.reason === 'noconnection') throw new CallError(server, 'nodedown');
  },
};
