// Erlang's own distribution, as a transport for the kit (README.md in this folder):
// the term mapping and its codec, EPMD, the handshake, and the connection.
export { Atom, BitString, ErlangFloat, ErlangOpaque, ImproperList, Tuple, atom, float, improperList, isAtom, isTuple, tuple } from './terms.ts';
export { decodeTerm } from './etfDecode.ts';
export { encodeTerm } from './etfEncode.ts';
export { ErlangCodecError } from './etfTags.ts';
export { termEquals } from './termEquals.ts';
export { DFLAG, KIT_FLAGS, MANDATORY_25, flagNames, kitFlags } from './flags.ts';
export { ERLANG_EPMD_PORT, NODE_TYPE, erlangEpmdPort, type EpmdNodeInfo } from './epmdProtocol.ts';
export { EpmdRegistration, epmdAnswers, killEpmd, listNames, lookupNode } from './epmdClient.ts';
export { startErlangEpmdServer, type ErlangEpmdServer } from './epmdServer.ts';
export { ensureEpmd } from './portMapper.ts';
export { HandshakeError } from './handshake.ts';
export { ControlError, type Control, type ControlOp, type ProcessRef } from './control.ts';
export { ErlangLink, type AcceptOptions, type ConnectOptions, type ErlangLinkOptions } from './erlangLink.ts';
export { listenErlang, type ErlangListener } from './listener.ts';
export { genCall, genReply, readGenCall, type GenCall } from './genCall.ts';
export { answerNetKernel } from './netKernelResponder.ts';
export { reasonFromErlang, reasonToErlang } from './reasons.ts';
