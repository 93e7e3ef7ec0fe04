// What a demo script sees: steps narrated in the terminal (each waits for Enter
// unless --auto), the results of what it runs, checks that what it narrates
// really happened, and its cluster. The live view shows the current step.
import { inspect } from 'node:util';
import type { NodeName } from '../../lib/index.ts';
import { aliveOf, shortHostname } from '../../lib/internal.ts';
import type { DemoCluster, Returned, Terminal } from './demoCluster.ts';

export interface Demo {
  /** One line: what the room sees. */
  readonly title: string;
  /** One or two lines for the list of demos. */
  readonly summary: string;
  run(show: Show): Promise<void>;
}

/** A demo whose narrated outcome did not happen: the run fails, loudly. */
class DemoCheckFailed extends Error {
  override name = 'DemoCheckFailed';
}

export interface ShowOptions {
  readonly cluster: DemoCluster;
  readonly write: (text: string) => void;
  /** Resolves when the presenter presses Enter (at once with --auto). */
  readonly pause: () => Promise<void>;
  readonly caption: (text: string) => void;
  readonly colour: boolean;
}

export class Show {
  readonly cluster: DemoCluster;
  /** This machine's short host name: node names are `name@host`. */
  readonly host = shortHostname();
  private readonly options: ShowOptions;
  private steps = 0;

  constructor(options: ShowOptions) {
    this.options = options;
    this.cluster = options.cluster;
  }

  private paint(code: string, text: string): string {
    return this.options.colour ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  /** Starts a step: its title and narration, then waits for Enter. */
  async step(title: string, ...narration: string[]): Promise<void> {
    this.steps++;
    const head = ` Step ${this.steps}: ${title} `;
    this.options.write(`\n${this.paint('1;97;44', head)}\n`);
    for (const line of narration) this.options.write(`  ${line}\n`);
    this.options.caption(`${this.steps}. ${title}`);
    await this.options.pause();
  }

  /** Narration between results. */
  say(...lines: string[]): void {
    for (const line of lines) this.options.write(`  ${this.paint('3', line)}\n`);
  }

  /** Prints what was run where (`chris> Node.list()`) and what it gave (nothing for undefined, as the shell does). */
  result(where: string, what: string, value: unknown): void {
    this.options.write(`  ${this.paint('1;32', `${where}>`)} ${what}\n`);
    if (value === undefined) return;
    const printed = typeof value === 'object' && value !== null && ('json' in value || 'printed' in value) ? shown(value as Returned) : inspect(value, { depth: 4, colors: this.options.colour });
    for (const line of printed.split(/\r?\n/)) this.options.write(`    ${line}\n`);
  }

  /** Runs `fun` on a terminal node and prints the call and its result; returns the result. */
  async on<T = unknown>(terminal: Terminal, what: string, module: string, fun: string, args: unknown[] = []): Promise<T> {
    const r = await terminal.call(module, fun, args);
    this.result(terminal.sname, what, r);
    return ('json' in r ? r.json : r.printed) as T;
  }

  /** Fails the demo if what it says happened did not. */
  check(ok: boolean, what: string): void {
    if (!ok) throw new DemoCheckFailed(`the demo expected ${what}, and it did not happen`);
  }

  /** Reads until `done(value)` holds (within `timeoutMs`), for things that settle: counts after a heal. */
  async until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!done(value)) {
      if (Date.now() > deadline) throw new DemoCheckFailed(`the demo waited ${timeoutMs} ms for ${what}; last seen: ${inspect(value)}`);
      await new Promise((r) => setTimeout(r, 50));
      value = await read();
    }
    return value;
  }

  /** A node's short label: `chris` for `chris@host`. */
  label(node: NodeName): string {
    return aliveOf(node);
  }
}

function shown(r: Returned): string {
  return 'json' in r ? inspect(r.json, { depth: 4, breakLength: 100 }) : r.printed;
}
