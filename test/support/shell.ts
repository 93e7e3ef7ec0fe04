// Drives a real `distsys shell` through its standard input and output, as a
// person at a terminal would: type a line, wait for the next prompt, read what
// was printed in between.
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/distsys.js', import.meta.url));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Shell {
  readonly name: string;
  private readonly child: ResultPromise;
  private output = '';
  /** Where the output not yet returned by `type` or `waitFor` starts. */
  private read = 0;
  private counter = 1;
  private listeners: Array<() => void> = [];
  private errors = '';

  private constructor(name: string, child: ResultPromise) {
    this.name = name;
    this.child = child;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.output += chunk;
      for (const l of this.listeners) l();
    });
    // Read the log too: it is part of what a person sees, and an unread pipe could fill up.
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.errors += chunk;
    });
  }

  /** What the shell's node logged on stderr so far (warnings such as a refused cookie). */
  get log(): string {
    return this.errors;
  }

  /** Everything the shell printed on stdout so far. */
  get printed(): string {
    return this.output;
  }

  /** The number the next prompt shows (`iex(name)N>`). */
  get prompt(): number {
    return this.counter;
  }

  /** Starts `distsys shell` with `args` and waits for its first prompt. */
  static async start(args: string[], env: Record<string, string> = {}): Promise<Shell> {
    const child = execa(process.execPath, [BIN, 'shell', ...args], { buffer: false, reject: false, stdin: 'pipe', env: { DISTSYS_LOG_LEVEL: 'warning', ...env } });
    const first = new Shell('', child);
    const banner = await first.waitFor(/iex\((\S+@\S+)\)1> /, 20_000);
    const name = /iex\((\S+@\S+)\)1> /.exec(banner)?.[1] as string;
    const shell = new Shell(name, child);
    shell.output = first.output;
    shell.read = first.read;
    shell.errors = first.errors;
    return shell;
  }

  /** Waits until the output (after what was already read) matches `pattern`; returns that output and moves past it. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const rest = this.output.slice(this.read);
        const m = pattern.exec(rest);
        if (!m) return false;
        this.read += m.index + m[0].length;
        resolve(rest.slice(0, m.index + m[0].length));
        return true;
      };
      if (check()) return;
      const listener = () => {
        if (check()) done();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`shell ${this.name} did not print ${pattern} within ${timeoutMs} ms; it printed:\n${this.output.slice(this.read)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
    });
  }

  /** Types `line`, waits (up to `timeoutMs`) for the next prompt and returns what the shell printed in between. */
  async type(line: string, timeoutMs = 10_000): Promise<string> {
    this.child.stdin?.write(`${line}\n`);
    this.counter++;
    const printed = await this.waitFor(new RegExp(`iex\\(${escape(this.name)}\\)${this.counter}> `), timeoutMs);
    return printed.replace(new RegExp(`iex\\(${escape(this.name)}\\)${this.counter}> $`), '').trim();
  }

  /** Ends the input (Ctrl+D) and waits for the shell to exit; returns its exit code. */
  async close(): Promise<number | undefined> {
    this.child.stdin?.end();
    return (await this.child).exitCode;
  }

  /** Types `.exit` and waits for the shell to exit. */
  async exit(): Promise<number | undefined> {
    this.child.stdin?.write('.exit\n');
    return (await this.child).exitCode;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  get exited(): Promise<unknown> {
    return this.child;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
