// Real Erlang for the Erlang-distribution tests: an epmd on a free port (never the
// host's 4369), and `erl -sname` nodes registered there that run the probe module
// (fixtures/kit_probe.erl), driven through their standard input. The cookie goes in
// a private $HOME/.erlang.cookie, never on a command line. Whatever a test starts
// ends with the test: stop() in afterAll, and should the test process die first,
// both notice their standard input closing and exit.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { epmdAnswers } from '../../../../lib/erlang/epmdClient.ts';
import { shortHostname } from '../../../../lib/nodeName.ts';
import { freePort } from '../../../support/globalSetup.ts';
import { waitFor } from '../../../support/wait.ts';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Why these tests cannot run here, or undefined when erl, erlc and epmd are installed. */
export const erlangMissing: string | undefined = ['erl', 'erlc', 'epmd'].every(onPath)
  ? undefined
  : 'Erlang/OTP is not installed (erl, erlc and epmd must be on the PATH; Debian/Ubuntu: apt-get install erlang-base)';

/** What a skipped suite's title adds, so the run says why it skipped: ` (skipped: Erlang/OTP is not installed …)`. */
export const skipNote = erlangMissing ? ` (skipped: ${erlangMissing})` : '';

/** Why the Elixir test cannot run here, or undefined when Erlang/OTP and `elixir` are installed. */
export const elixirMissing: string | undefined =
  erlangMissing ?? (onPath('elixir') ? undefined : 'Elixir is not installed (elixir must be on the PATH; Debian/Ubuntu: apt-get install elixir)');

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * The compiled probe's folder (fixtures/*.erl: the probe and the gen_server the tests call):
 * one per version of their sources, in the temporary folder, kept for the next run (like a
 * build cache: one small folder, not one per test file). Test files compiling it at once each
 * compile into a folder of their own and the first rename wins.
 */
export function compileProbe(): string {
  const sources = readdirSync(FIXTURES).filter((f) => f.endsWith('.erl')).sort().map((f) => join(FIXTURES, f));
  const hash = createHash('sha256');
  for (const file of sources) hash.update(file.slice(FIXTURES.length)).update(readFileSync(file));
  const dir = join(tmpdir(), `kit-erl-probe-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'kit_probe.beam'))) return dir;
  const fresh = mkdtempSync(join(tmpdir(), 'kit-erl-build-'));
  execFileSync('erlc', ['-o', fresh, ...sources]);
  try {
    renameSync(fresh, dir);
  } catch {
    rmSync(fresh, { recursive: true, force: true }); // another test file got there first
  }
  return dir;
}

/** The OTP release of the installed erl, e.g. "25". */
export function otpRelease(): string {
  return execFileSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { encoding: 'utf8' });
}

export interface RealEpmd {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Erlang's own epmd on a free port, in the foreground. It ignores its standard input,
 * so a shell holds it: when the test process goes, the shell's `read` ends and it
 * kills epmd.
 */
export async function startRealEpmd(): Promise<RealEpmd> {
  const port = await freePort();
  const child = spawn('sh', ['-c', 'epmd -port "$1" & pid=$!; read _; kill $pid; wait $pid 2>/dev/null', 'sh', String(port)], { stdio: ['pipe', 'ignore', 'inherit'] });
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`epmd exited with ${child.exitCode}`);
    if (!(await epmdAnswers({ host: '127.0.0.1', port, timeoutMs: 500 }))) throw new Error(`epmd does not answer on port ${port} yet`);
  }, 10_000);
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await gone;
    },
  };
}

export interface ErlStart {
  epmdPort: number;
  cookie: string;
  /** The node's short name; default probe<random>. */
  sname?: string;
  /** net_ticktime in seconds (Erlang's default is 60). */
  tickTimeSec?: number;
  probeDir: string;
}

export class ErlNode {
  readonly name: string;
  readonly osPid: number;
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly home: string;
  private readonly pending = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  readonly exited: Promise<number | null>;
  readonly output: string[] = [];

  private constructor(child: ChildProcessByStdio<Writable, Readable, null>, name: string, home: string) {
    this.child = child;
    this.name = name;
    this.home = home;
    this.osPid = child.pid!;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.output.push(line);
      const [id, status, ...rest] = line.split('\t');
      const waiter = id === undefined ? undefined : this.pending.get(id);
      if (!waiter) return;
      this.pending.delete(id!);
      if (status === 'ok') waiter.resolve(rest.join('\t'));
      else waiter.reject(new Error(`erl ${this.name}: ${rest.join('\t')}`));
    });
    void this.exited.then(() => {
      for (const w of this.pending.values()) w.reject(new Error(`erl ${this.name} exited`));
      this.pending.clear();
    });
  }

  static async start(o: ErlStart): Promise<ErlNode> {
    const sname = o.sname ?? `probe${process.pid}x${Math.floor(Math.random() * 1e6)}`;
    const home = mkdtempSync(join(tmpdir(), 'kit-erl-home-'));
    writeFileSync(join(home, '.erlang.cookie'), o.cookie);
    chmodSync(join(home, '.erlang.cookie'), 0o400);
    const args = ['-sname', sname, '-noshell', '-pa', o.probeDir, '-eval', 'kit_probe:start()'];
    if (o.tickTimeSec !== undefined) args.push('-kernel', 'net_ticktime', String(o.tickTimeSec));
    const child = spawn('erl', args, {
      env: { ...process.env, HOME: home, ERL_EPMD_PORT: String(o.epmdPort) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const node = new ErlNode(child, `${sname}@${shortHostname()}`, home);
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`erl exited with ${child.exitCode}: ${node.output.join('\n')}`);
      if (!node.output.some((l) => l === `ready ${node.name}`)) throw new Error(`erl ${node.name} is not ready yet: ${node.output.join(' | ')}`);
    }, 20_000);
    return node;
  }

  /** Evaluates an Erlang expression (no trailing dot needed) on the node; resolves with its value as ~tw prints it. */
  eval(expr: string, timeoutMs = 10_000): Promise<string> {
    const id = String(this.nextId++);
    const text = expr.trim().replace(/\.$/, '');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`erl ${this.name} did not answer ${text} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin.write(`${id}\t${text.replace(/\n/g, ' ')}.\n`);
    });
  }

  /** kill -9: the node dies without a word, as a crashed machine would. */
  async kill9(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops the node (closing its standard input halts it; a kill makes sure) and removes its $HOME. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.home, { recursive: true, force: true });
  }

  /** SIGSTOP / SIGCONT: a node that is alive but silent, for tick tests. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }
  resume(): void {
    this.child.kill('SIGCONT');
  }
}
