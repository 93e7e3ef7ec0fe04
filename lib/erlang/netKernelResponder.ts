// What a kit node in Erlang mode answers as its registered `net_kernel` process.
// net_adm:ping(Node) connects, then gen:calls {net_kernel, Node} with
// {is_auth, FromNode}, and says pong only on the reply yes; a node that does not
// answer is pang after the call's timeout, connected or not. That is all Erlang asks
// of another node's net_kernel (the rest of its API is local to each node).
import type { Pid } from '../terms.ts';
import { atomName } from './etfDecode.ts';
import { genReply, readGenCall } from './genCall.ts';
import { Tuple, atom } from './terms.ts';

/** The reply a message to `net_kernel` calls for (ping's is_auth gets yes), or undefined for anything else. */
export function answerNetKernel(message: unknown): { to: Pid; message: Tuple } | undefined {
  const call = readGenCall(message);
  if (!call) return undefined;
  const request = call.request;
  if (request instanceof Tuple && request.length === 2 && atomName(request.elements[0]) === 'is_auth') return genReply(call, atom('yes'));
  return undefined;
}
