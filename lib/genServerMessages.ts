// The messages of GenServer's protocol, in one place: a call, a cast, a reply,
// a stop. genServer.ts speaks them; Erlang's distribution maps them onto Erlang's
// own (`{'$gen_call', {Pid, Tag}, Request}`, `{'$gen_cast', Msg}`, `{Tag, Reply}`:
// erlang/genServerShapes.ts) at the boundary, so a kit GenServer answers
// `gen_server:call` from Erlang and `GenServer.call` reaches an Erlang gen_server.
import { Tuple } from './erlang/terms.ts';
import { isPid, isRef, sameRef, type Pid, type Ref } from './terms.ts';

/** Who is waiting for a reply: hand it to `GenServer.reply` to answer later. */
export interface From {
  readonly pid: Pid;
  readonly ref: Ref;
  /**
   * The caller's own tag for the reply, when it is more than `ref` (an Erlang caller's
   * `[alias | Ref]`, since OTP 24): the reply carries it back as it came.
   */
  readonly tag?: unknown;
}

export interface CallMsg { readonly $gen: 'call'; readonly from: From; readonly request: unknown }
export interface CastMsg { readonly $gen: 'cast'; readonly msg: unknown }
export interface ReplyMsg { readonly $genReply: Ref; readonly value: unknown; readonly tag?: unknown }
export interface StopMsg { readonly $gen: 'stop'; readonly reason: unknown }

export function callMsg(from: From, request: unknown): CallMsg {
  return { $gen: 'call', from, request };
}

export function castMsg(msg: unknown): CastMsg {
  return { $gen: 'cast', msg };
}

export function replyMsg(from: From, value: unknown): ReplyMsg {
  return from.tag === undefined ? { $genReply: from.ref, value } : { $genReply: from.ref, value, tag: from.tag };
}

export function stopMsg(reason: unknown): StopMsg {
  return { $gen: 'stop', reason };
}

export function isGen(msg: unknown, kind: 'call' | 'cast' | 'stop'): boolean {
  return typeof msg === 'object' && msg !== null && (msg as { $gen?: unknown }).$gen === kind;
}

/** The call `msg` is, if it is exactly one (a from with a pid and a ref). */
export function readCall(msg: unknown): CallMsg | undefined {
  if (!isGen(msg, 'call')) return undefined;
  const { from } = msg as CallMsg;
  return typeof from === 'object' && from !== null && isPid(from.pid) && isRef(from.ref) ? (msg as CallMsg) : undefined;
}

/**
 * The reply `msg` is, if it is one: the kit's `{ $genReply: ref, value }`, or the `{Ref, Reply}`
 * an Erlang gen_server sends back to a kit caller (whose tag is its plain ref).
 */
export function readReply(msg: unknown): { ref: Ref; value: unknown; tag?: unknown } | undefined {
  if (msg instanceof Tuple) {
    const [ref, value] = msg.elements;
    return msg.length === 2 && isRef(ref) ? { ref, value } : undefined;
  }
  if (typeof msg !== 'object' || msg === null || !('$genReply' in msg)) return undefined;
  const reply = msg as ReplyMsg;
  if (!isRef(reply.$genReply)) return undefined;
  return reply.tag === undefined ? { ref: reply.$genReply, value: reply.value } : { ref: reply.$genReply, value: reply.value, tag: reply.tag };
}

/** Whether `msg` is the reply to the call made with `ref`. */
export function isReplyTo(ref: Ref): (msg: unknown) => boolean {
  return (msg) => {
    const reply = readReply(msg);
    return reply !== undefined && sameRef(reply.ref, ref);
  };
}

/**
 * What a GenServer message is, for people (traces, the live view: `cast {ping: 1}`): a call, a
 * cast or a reply, and what it carries; undefined for any other message (see `describe` in
 * distribution/entries.ts). A call and its reply share `ref`, made on the caller's node (traces
 * pair them with it).
 */
export function genServerEnvelope(msg: unknown): { label: 'call' | 'cast' | 'reply'; content: unknown; ref?: Ref } | undefined {
  if (isGen(msg, 'cast')) return { label: 'cast', content: (msg as CastMsg).msg };
  if (isGen(msg, 'call')) {
    const ref = (msg as Partial<CallMsg>).from?.ref;
    return { label: 'call', content: (msg as CallMsg).request, ...(isRef(ref) ? { ref } : {}) };
  }
  if (typeof msg === 'object' && msg !== null && '$genReply' in msg) {
    const ref = (msg as ReplyMsg).$genReply;
    return { label: 'reply', content: (msg as ReplyMsg).value, ...(isRef(ref) ? { ref } : {}) };
  }
  return undefined;
}
