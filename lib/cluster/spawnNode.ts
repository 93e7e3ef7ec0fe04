// Starts a node as a real OS process (`distsys node`) and waits until it says it
// is ready. The child dies with its parent: it holds an IPC channel to it and
// exits when that closes, which also happens when the parent is killed with -9.
// Its cookie goes in its environment (DISTSYS_COOKIE), which only its own user
// can read, never on its command line, which every user of the machine can.
import { COOKIE_ENV } from '../cookie.ts';
import type { NodeName } from '../terms.ts';
import { askToStop, startKitProcess } from './kitProcess.ts';
import { NODE_READY } from './readyLine.ts';

export interface SpawnNodeOptions {
  /** `--sname` (or use `name` for `--name`). */
  sname?: string;
  name?: string;
  cookie?: string;
  /** A module the node imports at boot (its `start()` is called). */
  boot?: string;
  tickTimeMs?: number;
  /** 'erlang': the node speaks Erlang's distribution (`--dist erlang`), on EPMD (ERL_EPMD_PORT in `env`, or 4369). */
  dist?: 'kit' | 'erlang';
  env?: Record<string, string>;
  /** A command the node runs under, e.g. ['ip', 'netns', 'exec', 'ns1'] to put it on another (virtual) host. */
  wrapper?: string[];
  /** How long to wait for the node to be ready. Default 20 s. */
  readyTimeoutMs?: number;
}

export interface SpawnedNode {
  readonly name: NodeName;
  readonly pid: number;
  /** Everything the node wrote to stderr so far (its log). */
  readonly log: () => string;
  /** Sends a message over the node's IPC channel (for a booted module that listens with process.on('message')). */
  send(message: unknown): void;
  /** Calls `listener` with each message the node sends over its IPC channel; returns its remover. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Asks the node to stop (it closes its connections, so peers see nodedown) and waits for its exit. */
  stop(): Promise<void>;
  /** Sends a signal (SIGKILL by default) and, for a fatal one, waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<unknown>;
}

export async function spawnNode(options: SpawnNodeOptions): Promise<SpawnedNode> {
  const args = ['node'];
  if (options.sname) args.push('--sname', options.sname);
  if (options.name) args.push('--name', options.name);
  if (options.boot) args.push('--boot', options.boot);
  if (options.tickTimeMs) args.push('--tick-ms', String(options.tickTimeMs));
  if (options.dist) args.push('--dist', options.dist);
  let stderr = '';
  const { child, exited, ready } = await startKitProcess({
    args,
    readyLine: NODE_READY.pattern,
    what: `node ${options.sname ?? options.name}`,
    env: { ...options.env, ...(options.cookie ? { [COOKIE_ENV]: options.cookie } : {}) },
    ...(options.wrapper ? { wrapper: options.wrapper } : {}),
    timeoutMs: options.readyTimeoutMs ?? 20_000,
    onLog: (chunk) => {
      stderr += chunk;
    },
  });
  return {
    name: ready as NodeName,
    pid: child.pid as number,
    log: () => stderr,
    exited,
    send: (message) => void child.send(message as never),
    onMessage(listener) {
      child.on('message', listener);
      return () => child.off('message', listener);
    },
    async stop() {
      askToStop(child);
      await exited;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      child.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
    },
  };
}
