// The message shapes of Erlang's gen:call, which net_adm:ping, gen_server:call and
// rpc use: a request `{'$gen_call', {From, Tag}, Request}` and its reply `{Tag, Reply}`
// sent to From. Since OTP 24 the Tag is `[alias | Ref]` (an improper list); the reply
// carries it back unchanged, and goes to From's pid, which the caller reads whether
// or not the connection speaks aliases (the kit's does not: flags.ts).
import { Pid } from '../terms.ts';
import { Atom, Tuple, atom, tuple } from './terms.ts';

export interface GenCall {
  from: Pid;
  tag: unknown;
  request: unknown;
}

/** The parts of a gen:call request, or undefined if `message` is not one. */
export function readGenCall(message: unknown): GenCall | undefined {
  if (!(message instanceof Tuple) || message.length !== 3) return undefined;
  const [label, from, request] = message.elements;
  if (!(label instanceof Atom) || label.name !== '$gen_call') return undefined;
  if (!(from instanceof Tuple) || from.length !== 2 || !(from.elements[0] instanceof Pid)) return undefined;
  return { from: from.elements[0], tag: from.elements[1], request };
}

/** A gen:call request from `from`, tagged `tag` (what the kit sends to call an Erlang gen_server). */
export function genCall(from: Pid, tag: unknown, request: unknown): Tuple {
  return tuple(atom('$gen_call'), tuple(from, tag), request);
}

/** The reply to a call: `{Tag, Reply}`, to be sent to the caller's pid. */
export function genReply(call: GenCall, reply: unknown): { to: Pid; message: Tuple } {
  return { to: call.from, message: tuple(call.tag, reply) };
}
