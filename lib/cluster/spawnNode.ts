// Starts a node as a real OS process (`distsys node`) and waits until it says it
// is ready. The child dies with its parent: it holds an IPC channel to it and
// exits when that closes, which also happens when the parent is killed with -9.
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { tsEntryArgs } from '../childProcess.ts';
import type { NodeName } from '../terms.ts';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const READY = /^ready (\S+)$/m;

export interface SpawnNodeOptions {
  /** `--sname` (or use `name` for `--name`). */
  sname?: string;
  name?: string;
  cookie?: string;
  /** A module the node imports at boot (its `start()` is called). */
  boot?: string;
  tickTimeMs?: number;
  env?: Record<string, string>;
  /** How long to wait for the node to be ready. Default 20 s. */
  readyTimeoutMs?: number;
}

export interface SpawnedNode {
  readonly name: NodeName;
  readonly pid: number;
  /** Everything the node wrote to stderr so far (its log). */
  readonly log: () => string;
  /** Asks the node to stop (SIGTERM) and waits for its exit. */
  stop(): Promise<void>;
  /** Sends a signal (SIGKILL by default) and, for a fatal one, waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<unknown>;
}

export async function spawnNode(options: SpawnNodeOptions): Promise<SpawnedNode> {
  const args = [...tsEntryArgs(MAIN), 'node'];
  if (options.sname) args.push('--sname', options.sname);
  if (options.name) args.push('--name', options.name);
  if (options.cookie) args.push('--cookie', options.cookie);
  if (options.boot) args.push('--boot', options.boot);
  if (options.tickTimeMs) args.push('--tick-ms', String(options.tickTimeMs));
  const child: ResultPromise = execa(process.execPath, args, {
    env: options.env ?? {},
    extendEnv: true,
    ipc: true,
    serialization: 'json',
    reject: false,
    buffer: false,
    stdin: 'ignore',
    cleanup: true,
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = child.then((r) => r, (e: unknown) => e);
  const name = await new Promise<NodeName>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${options.sname ?? options.name} did not start within ${options.readyTimeoutMs ?? 20_000} ms; its log:\n${stderr}`));
    }, options.readyTimeoutMs ?? 20_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const m = READY.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as NodeName);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`node ${options.sname ?? options.name} exited before it was ready; its log:\n${stderr}`));
    });
  });
  return {
    name,
    pid: child.pid as number,
    log: () => stderr,
    exited,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      child.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
    },
  };
}
