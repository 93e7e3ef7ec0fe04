// Shell transcripts on the slides, read as a script: which terminal types what,
// and what it should print. A slide's ```text block is a transcript when it
// shows a prompt (`iex(chris@myhost)3> ...`) or starts a shell
// (`$ npx distsys shell --sname chris`). Two terminals side by side
// (`# terminal 1 ... # terminal 2` on one line) are read as two columns.
//
// What a transcript may say besides prompts and output:
//   $ npx distsys shell --sname NAME [--cookie C]   start that shell (leaving the old one first)
//   # NAME leaves ..., # leave NAME's shell ...     leave that shell (Ctrl+D)
//   # in NAME's terminal                            the lines after it are printed there, at some point
//   [NAME@myhost] warning: ...                      a line of the node's log (stderr); a long one
//       ...                                           goes on, indented, on the next lines
//                                                     (as a terminal wraps it, to fit a slide)
//   distsys shell on node NAME@myhost. ...          the shell's greeting
// Other `#` lines are headings. A prompt with nothing typed only shows the prompt.

export type Action =
  | { kind: 'start'; shell: string; args: string[] }
  | { kind: 'leave'; shell: string }
  | { kind: 'type'; shell: string; prompt: number; input: string; output: string[]; log: string[] }
  | { kind: 'prompt'; shell: string; prompt: number }
  | { kind: 'printed'; shell: string; lines: string[] }
  | { kind: 'greeting'; shell: string; line: string };

export interface Transcript {
  /** The slide's title (its first heading) and where it is. */
  readonly slide: string;
  readonly line: number;
  readonly actions: Action[];
}

const PROMPT = /^iex\((\w+)@myhost\)(\d+)>(?: (.*))?$/;
const START = /^\$ npx distsys shell (.*)$/;
const LOG = /^\[\w+@myhost\] (debug|info|warning|error): /;
const GREETING = /^distsys shell on node (\w+)@myhost\./;

/** The transcripts of a deck, in order. */
export function transcripts(markdown: string): Transcript[] {
  const found: Transcript[] = [];
  const lines = markdown.split('\n');
  let title = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^#{1,3} /.test(line)) title = line.replace(/^#+ /, '');
    if (line.trim() !== '```text') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && (lines[i] as string).trim() !== '```'; i++) body.push(lines[i] as string);
    if (!body.some((l) => PROMPT.test(l.trim()) || START.test(l.trim()) || /iex\(\w+@myhost\)\d+>/.test(l))) continue;
    found.push({ slide: title, line: start + 1, actions: actionsOf(columns(body)) });
  }
  return found;
}

/** Side-by-side terminals become one after the other: the left column, then the right. */
function columns(body: string[]): string[] {
  const header = body.find((l) => /^# terminal \d+\s{2,}# terminal \d+/.test(l));
  if (!header) return body;
  const at = header.indexOf('#', 1);
  // A line that runs across the gap (a long input in terminal 1) belongs to the left column whole.
  const split = (l: string) => l.length > at && l.slice(at - 2, at) === '  ';
  const left = body.map((l) => (split(l) ? l.slice(0, at) : l).trimEnd());
  const right = body.map((l) => (split(l) ? l.slice(at) : '').trimEnd());
  return [...left, '', ...right];
}

function actionsOf(lines: string[]): Action[] {
  const actions: Action[] = [];
  let current: Action | undefined;
  let lastShell = '';
  const rest: Action[] = [];
  for (const raw of lines) {
    const line = raw.trimEnd();
    const prompt = PROMPT.exec(line.trim());
    const start = START.exec(line.trim());
    if (start) {
      const args = (start[1] as string).split(/\s+/);
      const shell = args[args.indexOf('--sname') + 1] as string;
      rest.push({ kind: 'start', shell, args });
      lastShell = shell;
      current = undefined;
    } else if (prompt) {
      const [, shell, n, input] = prompt as unknown as [string, string, string, string | undefined];
      lastShell = shell;
      current = input ? { kind: 'type', shell, prompt: Number(n), input, output: [], log: [] } : { kind: 'prompt', shell, prompt: Number(n) };
      rest.push(current);
    } else if (/^# /.test(line)) {
      const leaves = /^# (\w+) leaves\b/.exec(line) ?? /^# leave (\w+)'s shell/.exec(line);
      const elsewhere = /^# in (\w+)'s terminal/.exec(line);
      if (leaves) rest.push({ kind: 'leave', shell: leaves[1] as string });
      current = elsewhere ? { kind: 'printed', shell: elsewhere[1] as string, lines: [] } : undefined;
      if (current) rest.push(current);
    } else if (line.trim() === '') {
      if (current?.kind !== 'type' || current.output.length > 0) current = undefined;
    } else if (GREETING.test(line)) {
      rest.push({ kind: 'greeting', shell: lastShell, line });
    } else if (current?.kind === 'type' && current.output.length === 0 && current.log.length > 0 && /^\s+\S/.test(line)) {
      current.log[current.log.length - 1] += ` ${line.trim()}`;
    } else if (current?.kind === 'type') {
      (LOG.test(line) ? current.log : current.output).push(line);
    } else if (current?.kind === 'printed') {
      current.lines.push(line);
    } else {
      throw new Error(`a line of a transcript that follows no prompt: ${line}`);
    }
  }
  // Terminals side by side start together: a shell starts before what is typed above it
  // in the block, though never before a shell leaves or another starts.
  for (const action of rest) {
    let at = actions.length;
    if (action.kind === 'start') while (at > 0 && !['leave', 'start'].includes((actions[at - 1] as Action).kind)) at--;
    actions.splice(at, 0, action);
  }
  return actions;
}
