// Starts the storage (`distsys storage`) as its own OS process, outside the
// node mesh, and waits until it says it is ready. Like a spawned node, it dies
// with its parent through its IPC channel. `restart` brings it back on the same
// port and directory, so clients keep their URL and find their data again.
import type { ResultPromise } from 'execa';
import { askToStop, startKitProcess } from './kitProcess.ts';
import { STORAGE_READY } from './readyLine.ts';

const DEFAULT_READY_TIMEOUT_MS = 20_000;

export interface StartStorageOptions {
  /** The directory of its journal; the data survives restarts there. */
  dir: string;
  /** Default 0: a free port, kept across restarts. */
  port?: number;
  host?: string;
  /** The most data it may hold, in MiB (`--max-mb`). */
  maxMb?: number;
  /** The directory is the storage's own: it removes it when it stops (not when it is killed). */
  temporary?: boolean;
  env?: Record<string, string>;
  /** How long to wait for it to be ready. Default 20 s. */
  readyTimeoutMs?: number;
}

export interface StorageProcess {
  /** Where it answers; the same after `restart`. */
  readonly url: string;
  /** The OS process id of the current incarnation. */
  readonly pid: number;
  /** Everything it wrote to stderr, over all its incarnations (its warnings). */
  log(): string;
  /** Asks it to stop and waits for its exit; it finishes the commands in progress. */
  stop(): Promise<void>;
  /** Sends a signal (SIGKILL by default) and, for a fatal one, waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory (stopping it first if it still runs). */
  restart(): Promise<void>;
}

interface Incarnation {
  child: ResultPromise;
  exited: Promise<unknown>;
  running: boolean;
}

export async function startStorage(options: StartStorageOptions): Promise<StorageProcess> {
  let stderr = '';
  const launch = async (port: number): Promise<{ incarnation: Incarnation; url: string }> => {
    const args = ['storage', '--dir', options.dir, '--port', String(port)];
    if (options.host) args.push('--host', options.host);
    if (options.maxMb !== undefined) args.push('--max-mb', String(options.maxMb));
    if (options.temporary) args.push('--temporary');
    const { child, exited, ready } = await startKitProcess({
      args,
      readyLine: STORAGE_READY.pattern,
      what: `the storage in ${options.dir}`,
      ...(options.env ? { env: options.env } : {}),
      timeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      onLog: (chunk) => {
        stderr += chunk;
      },
    });
    const incarnation: Incarnation = { child, exited, running: true };
    void exited.then(() => {
      incarnation.running = false;
    });
    return { incarnation, url: ready };
  };

  const first = await launch(options.port ?? 0);
  let current = first.incarnation;
  const url = first.url;
  const port = Number(new URL(url).port);

  const stop = async () => {
    askToStop(current.child);
    await current.exited;
  };
  return {
    url,
    get pid() {
      return current.child.pid as number;
    },
    log: () => stderr,
    stop,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      current.child.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await current.exited;
    },
    async restart() {
      if (current.running) await stop();
      current = (await launch(port)).incarnation;
    },
  };
}
