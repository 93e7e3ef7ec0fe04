// Starts one of the kit's own commands (`distsys node`, `distsys storage`: see
// kitCommand.ts) as a child OS process and waits, with a bound, for the line that
// says it is ready (readyLine.ts).
// The child holds an IPC channel to its parent and exits when that closes, which
// also happens when the parent is killed with -9. Closing that channel is also
// how the parent asks it to stop cleanly: unlike SIGTERM, which Windows cannot
// deliver (a kill there is immediate), it works on every system.
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { kitChildEnv, tsEntryArgs } from '../childProcess.ts';

const MAIN = fileURLToPath(new URL('./kitMain.ts', import.meta.url));

export interface KitProcess {
  readonly child: ResultPromise;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<unknown>;
  /** The first capture group of the ready line. */
  readonly ready: string;
}

export interface StartKitProcessOptions {
  /** The `distsys` arguments: ['node', '--sname', 'n1'], … */
  readonly args: string[];
  /** Matches the ready line on stdout; its first group is handed back. */
  readonly readyLine: RegExp;
  /** What the process is, for errors: "node n1", "the storage in /tmp/x". */
  readonly what: string;
  readonly env?: Record<string, string>;
  /** A command the process runs under, e.g. ['ip', 'netns', 'exec', 'ns1'] for a network namespace. */
  readonly wrapper?: string[];
  readonly timeoutMs: number;
  /** Receives everything the process writes on stderr (its log). */
  readonly onLog: (chunk: string) => void;
}

export async function startKitProcess(options: StartKitProcessOptions): Promise<KitProcess> {
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  // A DISTSYS_TARGET given to the child picks the code its `#stage/...` imports resolve to.
  const target = options.env?.DISTSYS_TARGET ?? process.env.DISTSYS_TARGET;
  const child: ResultPromise = execa(command as string, [...prefix, ...tsEntryArgs(MAIN, target), ...options.args], {
    env: { ...kitChildEnv(), ...options.env },
    extendEnv: true,
    ipc: true,
    serialization: 'json',
    reject: false,
    buffer: false,
    stdin: 'ignore',
    cleanup: true,
  });
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log += chunk;
    options.onLog(chunk);
  });
  const exited = child.then((r) => r, (e: unknown) => e);
  const ready = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.what} did not start within ${options.timeoutMs} ms; its log:\n${log}`));
    }, options.timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const m = options.readyLine.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${options.what} exited before it was ready; its log:\n${log}`));
    });
  });
  return { child, exited, ready };
}

/** Asks a kit process to stop cleanly, on any system: it stops when its IPC channel closes. */
export function askToStop(child: ResultPromise): void {
  if (child.connected) child.disconnect();
}
