// Which EPMD a kit node in Erlang mode registers with. Erlang nodes find each
// other through the epmd of each host on one port (4369, or ERL_EPMD_PORT), so
// the kit must use whatever answers there; only when nothing does, it starts one:
// 1. an epmd answers on the port (Erlang's, started by an `erl`/`iex` or the
//    system, or the kit's): use it, as `erl` does;
// 2. else start the kit's own (epmdDaemon.ts), detached, as `erl` starts
//    `epmd -daemon`. Not Erlang's epmd itself: it never exits on its own, and the
//    kit's rule is that nothing it starts outlives the workshop (the kit's exits
//    once no node, kit or Erlang, has been registered for a while), and the kit's
//    is there on laptops without Erlang too. Both speak the same protocol and refuse
//    the same things (README.md, "The port mapper").
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { kitChildEnv, tsEntryArgs } from '../childProcess.ts';
import { epmdAnswers } from './epmdClient.ts';

export interface EnsureEpmdOptions {
  port: number;
  /** Addresses the port mapper must also listen on if the kit starts it (a node named for one). */
  addresses?: string[];
  /** How long to wait for a started port mapper to answer. Default 10 s. */
  startTimeoutMs?: number;
}

/** Makes sure an EPMD answers on 127.0.0.1:`port`; says whether one was running or the kit started its own. */
export async function ensureEpmd(options: EnsureEpmdOptions): Promise<'running' | 'started'> {
  const at = { host: '127.0.0.1', port: options.port };
  if (await epmdAnswers(at)) return 'running';
  const child = spawn(process.execPath, tsEntryArgs(new URL('./epmdDaemon.ts', import.meta.url)), {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
    env: {
      ...process.env,
      ...kitChildEnv(),
      ERL_EPMD_PORT: String(options.port),
      DISTSYS_ERLANG_EPMD_ADDRESSES: (options.addresses ?? []).join(','),
    },
  });
  child.on('error', () => {});
  child.unref();
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (await epmdAnswers({ ...at, timeoutMs: 1_000 })) return 'started';
    await delay(50);
  }
  throw new Error(`no port mapper answers on 127.0.0.1:${options.port}, and the one the kit started did not come up within ${options.startTimeoutMs ?? 10_000} ms`);
}
