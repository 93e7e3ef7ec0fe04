// GenServer's messages at the boundary with Erlang: a kit node in Erlang mode
// turns the kit's GenServer messages (genServerMessages.ts) into Erlang's gen
// protocol as they leave, and Erlang's into the kit's as they arrive, so a kit
// GenServer answers `gen_server:call({Name, KitNode}, Req)` and `GenServer.call`
// reaches an Erlang gen_server:
//
//   kit                                          Erlang
//   { $gen: 'call', from: { pid, ref }, request } {'$gen_call', {Pid, Ref}, Request}
//     ... with from.tag (an OTP 24+ caller)        {'$gen_call', {Pid, [alias | Ref]}, Request}
//   { $gen: 'cast', msg }                         {'$gen_cast', Msg}
//   { $genReply: ref, value, tag? }  (leaving)    {Tag, Reply}, Tag = tag or ref
//   {Ref, Reply} (arriving) stays a Tuple: GenServer.call and multiCall read it as the reply
//
// Only the message itself is looked at, never what it contains. Arriving, only
// exactly those shapes change; so a term Erlang sends and a kit process echoes back
// comes back the same term (a `$gen_call` whose tag is not a reference stays a
// tuple). The one term that does not: an Erlang map with exactly the keys of a kit
// envelope (`#{'$gen' => <<"cast">>, msg => M}`), which leaves as what it looks like.
import { Ref } from '../terms.ts';
import { callMsg, castMsg, isGen, readCall, readReply, type CastMsg } from '../genServerMessages.ts';
import { genCall, readGenCall } from './genCall.ts';
import { ImproperList, Tuple, atom, isAtom, tuple } from './terms.ts';

/** A message leaving for an Erlang node, in Erlang's gen protocol if it is one of GenServer's. */
export function toErlangMessage(msg: unknown): unknown {
  if (typeof msg !== 'object' || msg === null || msg instanceof Tuple) return msg;
  const call = readCall(msg);
  if (call) return genCall(call.from.pid, call.from.tag ?? call.from.ref, call.request);
  if (isGen(msg, 'cast') && Object.keys(msg).length === 2) return tuple(atom('$gen_cast'), (msg as CastMsg).msg);
  const reply = '$genReply' in msg ? readReply(msg) : undefined;
  if (reply) return tuple(reply.tag ?? reply.ref, reply.value);
  return msg;
}

/** The Ref in a gen:call tag: the tag itself, or the Ref of OTP 24+'s `[alias | Ref]`. */
function tagRef(tag: unknown): Ref | undefined {
  if (tag instanceof Ref) return tag;
  if (tag instanceof ImproperList && tag.items.length === 1 && isAtom(tag.items[0], 'alias') && tag.tail instanceof Ref) return tag.tail;
  return undefined;
}

/** A message that came from an Erlang node, in the kit's GenServer protocol if it is Erlang's gen_call or gen_cast. */
export function fromErlangMessage(msg: unknown): unknown {
  if (!(msg instanceof Tuple)) return msg;
  if (msg.length === 2 && isAtom(msg.elements[0], '$gen_cast')) return castMsg(msg.elements[1]);
  const call = readGenCall(msg);
  if (!call) return msg;
  const ref = tagRef(call.tag);
  if (!ref) return msg;
  return callMsg(call.tag === ref ? { pid: call.from, ref } : { pid: call.from, ref, tag: call.tag }, call.request);
}
