// The one door into lib/ for the kit's own applications (apps/: the distsys
// command, the live view, the doctor, the demo runner, the trace page), for what
// they need beyond the library's public entries (lib/index.ts, what attendees
// import, and lib/cluster/index.ts, the harness). Not for attendees: what is
// here serves the applications and changes with them.
export { recordCommand, runKitCommand } from './cluster/kitCommand.ts';
export { UsageError, nodeFlags, parseFlags, startNodeFromFlags } from './cluster/args.ts';
export { AGENT } from './cluster/agent.ts';
export { linkPolicy } from './cluster/linkPolicy.ts';
export { describeKeptMessage } from './cluster/trace.ts';
export { defaultCookiePath, readDefaultCookie } from './cookie.ts';
export { EpmdClient } from './epmd/client.ts';
export { epmdAnswers, killEpmd, listNames } from './erlang/epmdClient.ts';
export { erlangEpmdPort } from './erlang/epmdProtocol.ts';
export { epmdPortFromEnv } from './epmd/protocol.ts';
export { pickPortMapperPort } from './epmd/pickPort.ts';
export { log } from './logger.ts';
export { aliveOf, hostOf, shortHostname } from './nodeName.ts';
export { abandonReceives, drainMailbox } from './process/callerMailbox.ts';
