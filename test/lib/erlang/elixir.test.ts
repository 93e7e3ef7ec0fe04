// Elixir speaks the same distribution as Erlang (its nodes are BEAM nodes), and a
// kit node in Erlang mode joins it alike: an `elixir --sname` script connects to the
// kit node (Node.connect), finds it among its hidden nodes, sends to a registered
// kit process and gets its answer, and calls a kit GenServer with GenServer.call.
// The cookie goes in the script's private $HOME/.erlang.cookie, never on its command line.
import { spawn as spawnChild } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenServer, Node, Process, Tuple, atom, receive, send, spawn, tuple, type Pid } from '../../../lib/index.ts';
import { elixirMissing, startRealEpmd, type RealEpmd } from './support/erl.ts';

const note = elixirMissing ? ` (skipped: ${elixirMissing})` : '';

/** Runs an Elixir script as a node of its own; resolves with what it printed once it ends (bounded). */
function runElixir(script: string, epmdPort: number, cookie: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'kit-elixir-home-'));
  writeFileSync(join(home, '.erlang.cookie'), cookie);
  chmodSync(join(home, '.erlang.cookie'), 0o400);
  const child = spawnChild('elixir', ['--sname', `ben${process.pid}`, '-e', script], {
    env: { ...process.env, HOME: home, ERL_EPMD_PORT: String(epmdPort) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Elixir script did not end within 30 s; it printed: ${out}`));
    }, 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve(out);
    });
  });
}

describe.skipIf(elixirMissing)(`an Elixir node and a kit node in Erlang mode${note}`, () => {
  let epmd: RealEpmd;
  let me: string;

  beforeAll(async () => {
    epmd = await startRealEpmd();
    me = await Node.start({ sname: `chris${process.pid}` }, { cookie: 'lonestar', dist: 'erlang', epmdPort: epmd.port });
  });
  afterAll(async () => {
    await Node.stop();
    await epmd?.stop();
  });

  it('Node.connect, Node.list(:hidden), send to a registered kit process and its answer, GenServer.call to a kit GenServer', async () => {
    // The kit's side: a registered process that answers {:hello, from, text}, and a GenServer.
    spawn(async () => {
      Process.register('greeter');
      const hello = (await receive((m) => m instanceof Tuple, 30_000)) as Tuple;
      const [, from, text] = hello.elements as [unknown, Pid, string];
      send(from, tuple(atom('ok'), `hello ${text}, from ${Node.self()}`));
    });
    await GenServer.start(
      { init: () => null, handleCall: (request: Tuple, _from, state) => ({ reply: (request.elements[1] as number) + (request.elements[2] as number), state }) },
      undefined,
      { name: 'adder' },
    );
    const out = await runElixir(
      [
        `kit = :"${me}"`,
        'IO.puts("connect #{Node.connect(kit)}")',
        'IO.puts("hidden #{inspect(Node.list(:hidden))} visible #{inspect(Node.list())}")',
        'send({:greeter, kit}, {:hello, self(), "ben"})',
        'receive do {:ok, text} -> IO.puts("reply #{text}") after 10_000 -> IO.puts("no reply") end',
        'IO.puts("call #{GenServer.call({:adder, kit}, {:add, 2, 3})}")',
      ].join('\n'),
      epmd.port,
      'lonestar',
    );
    expect(out).toContain('connect true');
    expect(out).toContain(`hidden [:${me}] visible []`);
    expect(out).toContain(`reply hello ben, from ${me}`);
    expect(out).toContain('call 5');
  });
});
