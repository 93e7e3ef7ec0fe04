// Small functions the stage tests run on cluster nodes through rpc.call, so a
// test can look inside a node, or stand in for one of its servers, without the
// stage's code having to help.
import { GenServer, Node, Process, send, type From, type Pid } from '../../lib/index.ts';

export const PROBE = import.meta.url;

export function whereis(name: string): Pid | undefined {
  return Process.whereis(name);
}

/** Kills the processes registered under `names` on this node (a test's fresh start); their names are free at once. */
export function killRegistered(names: string[]): true {
  for (const name of names) {
    const pid = Process.whereis(name);
    if (pid) Process.exit(pid, 'kill');
  }
  return true;
}

/** What a relay sends the test for each call it gets. */
export interface Relayed {
  readonly relayed: string;
  readonly node: string;
  readonly request: unknown;
  readonly from: From;
}

/**
 * Starts a server registered as `name` on this node that answers no call itself:
 * it forwards each one to `to` (a test process), which may answer it with
 * GenServer.reply(from, value), or never.
 */
export function startRelay(name: string, to: Pid): Promise<Pid> {
  return GenServer.start(
    {
      name: `relay of ${name}`,
      init: () => to,
      handleCall(request: unknown, from: From, state: Pid) {
        send(state, { relayed: name, node: Node.self(), request, from } satisfies Relayed);
        return { noreply: true as const, state };
      },
    },
    undefined,
    { name },
  );
}
