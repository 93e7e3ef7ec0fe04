// The kit's library: Erlang's distribution, in TypeScript. The names follow
// Elixir's modules, so a slide, a lesson and a line of code use the same words.
export { Node, type StartOptions } from './node.ts';
export { NetKernel } from './netKernelApi.ts';
export * as Process from './process/index.ts';
export { spawn, spawnLink, spawnMonitor, self, send, receive, ExitSignal, ReceiveTimeout } from './process/index.ts';
export { GenServer, CallError, StartError, type GenServerModule, type From, type CallResult, type CastResult, type ServerRef } from './genServer.ts';
export { Supervisor, MAX_RESTART_INTENSITY, type ChildSpec, type SupervisorOptions } from './supervisor.ts';
export { rpc, RpcError } from './rpc.ts';
export { makeRef } from './localNode.ts';
export { CodecError } from './codec.ts';
// Erlang's terms, for kit code that talks to Erlang nodes (`tuple(atom('ok'), value)` answers {ok, Value}).
export { Atom, Tuple, ErlangFloat, ImproperList, BitString, ErlangOpaque, atom, tuple, float, improperList, isAtom, isTuple } from './erlang/terms.ts';
export { termEquals } from './erlang/termEquals.ts';
export { ErlangCodecError } from './erlang/etfTags.ts';
export { Storage, StorageError } from './storage/client.ts';
export { HashRing, ringPosition } from './hashRing.ts';
export { addLogHandler, setConsoleLevel, type LogEvent } from './logger.ts';
export {
  Pid, Ref, NO_NODE, isPid, isRef, isDown, isExit, samePid, sameRef, formatReason,
  type NodeName, type Dest, type RemoteName, type DownMessage, type ExitMessage, type NodeMessage, type ExitReason,
} from './terms.ts';
