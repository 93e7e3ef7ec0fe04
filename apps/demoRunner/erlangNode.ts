// A real Erlang node beside a demo's kit nodes (the erlang demo): `erl -sname NAME`
// that evaluates the Erlang expressions the demo writes on its standard input, one
// a line, and prints each value on one line, as an erl shell would show it. It gets
// the demo's cookie in its environment (ERL_AFLAGS), never on its command line; it
// never starts an epmd of its own (-start_epmd false: the kit nodes of the demo made
// sure one answers, and a daemon erl starts would outlive the demo); and it halts
// when its standard input closes, so it ends with the demo however the demo ends.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { NodeName } from '../../lib/index.ts';
import { shortHostname } from '../../lib/internal.ts';

/** Why there can be no Erlang node here, or undefined when `erl` is on the PATH. */
export function erlangMissing(): string | undefined {
  const found = (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'erl')));
  return found ? undefined : 'Erlang/OTP is not installed here (erl is not on the PATH; Debian/Ubuntu: sudo apt-get install erlang-base; macOS: brew install erlang)';
}

// The loop the node runs: read a line, evaluate it, print `ok <value>` or `error <why>` on one line.
const LOOP = [
  'Loop = fun Loop() ->',
  "  case io:get_line('') of",
  '    eof -> halt(0);',
  '    {error, _} -> halt(0);',
  '    Line ->',
  '      Out = try',
  '        {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Line)),',
  '        {ok, Exprs} = erl_parse:parse_exprs(Tokens),',
  '        {value, Value, _} = erl_eval:exprs(Exprs, []),',
  '        io_lib:format("ok ~tp", [Value])',
  '      catch Class:Reason -> io_lib:format("error ~tp", [{Class, Reason}])',
  '      end,',
  '      io:format("~ts~n", [re:replace(Out, "\\\\s*\\n\\\\s*", " ", [global, unicode, {return, binary}])]),',
  '      Loop()',
  '  end',
  'end,',
  'io:format("ready ~s~n", [node()]),',
  'Loop().',
].join('\n');

export class ErlangNode {
  readonly name: NodeName;
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly answers: Array<(line: string) => void> = [];
  readonly exited: Promise<unknown>;

  private constructor(child: ChildProcessByStdio<Writable, Readable, null>, name: NodeName) {
    this.child = child;
    this.name = name;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /** Starts `erl -sname sname` with `cookie`; resolves once it is up (within 20 s). */
  static async start(sname: string, cookie: string): Promise<ErlangNode> {
    const child = spawn('erl', ['-sname', sname, '-start_epmd', 'false', '-noshell', '-eval', LOOP], {
      env: { ...process.env, ERL_AFLAGS: `-setcookie ${cookie}` },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const node = new ErlangNode(child, `${sname}@${shortHostname()}`);
    const lines = createInterface({ input: child.stdout });
    let early: ((code: number | null) => void) | undefined;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`erl -sname ${sname} did not come up within 20 s`));
      }, 20_000);
      early = (code) => {
        clearTimeout(timer);
        reject(new Error(`erl -sname ${sname} exited (${code}) before it was up: is a node of that name running already?`));
      };
      child.once('exit', early);
      lines.once('line', (line) => {
        clearTimeout(timer);
        if (line.startsWith('ready ')) resolve();
        else reject(new Error(`erl -sname ${sname} said ${line}`));
      });
    }).finally(() => child.off('exit', early as (code: number | null) => void));
    lines.on('line', (line) => node.answers.shift()?.(line));
    return node;
  }

  /** Evaluates an Erlang expression (no trailing dot) and resolves with its value as erl prints it. */
  eval(expression: string, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not answer ${expression} within ${timeoutMs} ms`)), timeoutMs);
      this.answers.push((line) => {
        clearTimeout(timer);
        if (line.startsWith('ok ')) resolve(line.slice(3));
        else reject(new Error(`${this.name}: ${expression} failed: ${line.replace(/^error /, '')}`));
      });
      this.child.stdin.write(`${expression.replace(/\n/g, ' ')}.\n`);
    });
  }

  /** kill -9, as a crash would. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
