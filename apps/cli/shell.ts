// `distsys shell`: the kit's iex. It starts a node and an interactive prompt
// `iex(chris@host)1>` with the library in scope, top-level await, history and
// completion. Leaving it (Ctrl+D, .exit, Ctrl+C twice) stops the node, so its
// peers see nodedown.
import repl from 'node:repl';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import * as library from '../../lib/index.ts';
import { Node } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { abandonReceives, drainMailbox, nodeFlags, parseFlags, startNodeFromFlags } from '../../lib/internal.ts';

/** What `h()` prints: each name in scope, with a line on what it is for. */
const HELP: Array<[string, string]> = [
  ['Node.self()', "this node's name"],
  ['Node.list()', 'the nodes this one is connected to'],
  ["await Node.ping('ben@host')", "'pong' if that node answers, 'pang' if not"],
  ["await Node.connect('ben@host')", 'connect (and, transitively, to every node it knows): true or false'],
  ["Node.disconnect('ben@host')", 'close the connection to a node'],
  ["Node.setCookie('lonestar'), Node.getCookie()", "change or read this node's cookie"],
  ['spawn(async () => { ... })', 'start a process; returns its pid'],
  ['self()', "the shell's own pid (its messages wait in its mailbox)"],
  ["send(pid | 'name' | { name, node }, msg)", 'send a message'],
  ['await receive(match?, timeoutMs?)', "take a message from the shell's mailbox"],
  ['flush()', "print and remove every message in the shell's mailbox"],
  ["Process.register(name), Process.whereis(name)", 'name a process on this node, find it'],
  ['Process.monitor(pid | { name, node })', 'get a DOWN message when it ends'],
  ['Process.link(pid), Process.exit(pid, why)', 'links and exit signals'],
  ['NetKernel.monitorNodes(true)', 'get nodeup / nodedown messages'],
  ['GenServer.start(module, args, { name })', 'start a server; then GenServer.call, cast, abcast, multiCall'],
  ['Supervisor.start(children, options)', 'a one_for_one supervisor'],
  ["await rpc.call(node, 'node:os', 'hostname')", 'run a function on another node'],
  ["await LocalCluster.startNodes('cluster', 3)", 'start nodes as child processes of this one'],
  ['await Schism.partition(nodes)', 'cut nodes off from the others; Schism.heal(nodes) lets them back'],
  ["atom('ok'), tuple(atom('ok'), 42)", "Erlang's atoms and tuples ({:ok, 42}), to talk to erl and iex nodes (--dist erlang)"],
  ['h()', 'this list'],
];

function help(): void {
  const width = Math.max(...HELP.map(([name]) => name.length));
  process.stdout.write(`${HELP.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`).join('\n')}\n`);
}

/** Like iex's flush/0: prints each message waiting for the shell, oldest first, and removes it. */
function flush(): void {
  for (const msg of drainMailbox()) {
    process.stdout.write(`${inspect(msg, { depth: 6, colors: process.stdout.isTTY })}\n`);
  }
}

export async function shell(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, nodeFlags);
  const name = await startNodeFromFlags(values);
  let counter = 1;
  const prompt = () => `iex(${name})${counter}> `;
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  process.stdout.write(`distsys shell on node ${name}. h() lists what is in scope; Ctrl+D leaves.\n`);
  if (values.dist === 'erlang') {
    process.stdout.write("It speaks Erlang's distribution: erl and iex nodes can join it (it is hidden to them: Node.list(:hidden) in iex).\n");
  }
  // breakEvalOnSigint: Ctrl+C abandons an input that waits, such as `await receive()` with no message coming.
  const server = repl.start({ prompt: prompt(), terminal, useColors: terminal, ignoreUndefined: true, preview: terminal, breakEvalOnSigint: true });
  Object.assign(server.context, library, { LocalCluster, Schism, h: help, flush });

  // Count the prompt up after each complete input, as iex does. Inputs run one after the
  // other, even when lines arrive faster than an `await` settles (pasted or piped input).
  const evaluate = server.eval;
  let previous: Promise<void> = Promise.resolve();
  /** Ends the input being evaluated; an input that throws never calls back, the REPL just shows the prompt. */
  let release: (() => void) | undefined;
  const counted: repl.REPLEval = function (this: repl.REPLServer, code, context, file, done) {
    previous = previous.then(
      () =>
        new Promise<void>((next) => {
          release = () => {
            release = undefined;
            if (code.trim() !== '') {
              counter++;
              server.setPrompt(prompt());
            }
            next();
          };
          evaluate.call(this, code, context, file, (err, result) => {
            if (err instanceof repl.Recoverable) {
              release = undefined; // an unfinished input: the next line completes it
              next();
            } else release?.();
            done(err, result);
          });
        }),
    );
  };
  const displayPrompt = server.displayPrompt.bind(server);
  server.displayPrompt = (preserveCursor?: boolean) => {
    if (release) {
      // The input ended without an answer: it threw, or Ctrl+C abandoned it. A receive it left
      // waiting must not swallow the shell's next message.
      abandonReceives(new Error('the shell abandoned this receive (Ctrl+C)'));
      release();
    }
    displayPrompt(preserveCursor);
  };
  (server as { eval: repl.REPLEval }).eval = counted;

  if (terminal) {
    server.setupHistory(process.env.DISTSYS_HISTORY ?? join(homedir(), '.distsys_history'), () => {});
  }
  let leaving = false;
  const leave = (pending: Promise<void>) => {
    if (leaving) return;
    leaving = true;
    void pending.then(() => Node.stop()).finally(() => process.exit(0));
  };
  // Ctrl+D lets what was typed before it finish (for at most 2 s: an `await receive()` may never
  // end), then leaves the cluster; peers see nodedown. A signal leaves at once.
  const settled = () => Promise.race([previous, new Promise<void>((r) => setTimeout(r, 2_000).unref())]);
  server.on('exit', () => leave(settled()));
  // The REPL holds its exit back while an input is still awaiting; the end of the input is enough.
  process.stdin.on('end', () => leave(settled()));
  server.on('close', () => leave(settled()));
  process.on('SIGTERM', () => leave(Promise.resolve()));
  // Without a terminal the prompt cannot catch Ctrl+C itself: leave cleanly on the signal.
  if (!terminal) process.on('SIGINT', () => leave(Promise.resolve()));
}
