// The instructor's demos, run as an instructor would (`npm run demo -- NAME`),
// with --auto: each narrates its steps, checks that what it says happened did,
// exits 0, and leaves no process behind; Ctrl+C in the middle stops everything.
// Without --auto, the last step's result stays (terminal and live view) until
// the presenter presses Enter once more.
import { describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { WebSocket } from 'ws';
import type { ViewState } from '../../apps/view/index.ts';
import { EpmdClient } from '../../lib/epmd/client.ts';
import { epmdPortFromEnv } from '../../lib/epmd/protocol.ts';
import { freePort } from '../support/globalSetup.ts';
import { descendants } from '../support/processTree.ts';
import { erlangMissing, skipNote } from '../lib/erlang/support/erl.ts';
import { waitFor } from '../support/wait.ts';

const BIN = new URL('../../bin/distsys.js', import.meta.url).pathname;

function demo(args: string[], env: Record<string, string> = {}): ResultPromise {
  return execa(process.execPath, ['--conditions=solutions', BIN, 'demo', ...args], { reject: false, stdin: 'pipe', all: true, env: { NO_COLOR: '1', ...env } });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Watches the demo's process tree while it runs, so what it started can be checked after it exits. */
function watchTree(pid: number): { seen: Set<number>; stop: () => void } {
  const seen = new Set<number>();
  const timer = setInterval(() => {
    for (const p of descendants(pid)) seen.add(p);
  }, 100);
  return { seen, stop: () => clearInterval(timer) };
}

async function noNamesLeft(): Promise<void> {
  const names = await EpmdClient.ask(epmdPortFromEnv(), '127.0.0.1', (c) => c.names()).catch(() => []);
  expect(names, 'names still registered with the port mapper after the demo').toEqual([]);
}

describe('npm run demo', () => {
  it('lists the demos with what each shows', async () => {
    const run = await demo([]);
    expect(run.exitCode, String(run.all)).toBe(0);
    expect(run.stdout).toMatch(/first-steps\s+connect, ping/);
    expect(run.stdout).toMatch(/ping-pong\s+producers and consumers/);
    expect(run.stdout).toMatch(/shortener\s+the link shortener on a ring/);
    expect(run.stdout).toMatch(/map-reduce\s+map\/reduce: workers killed mid-job/);
    expect(run.stdout).toMatch(/crdt\s+CRDT counters/);
    expect(run.stdout).toMatch(/erlang\s+a real Erlang node joins kit nodes/);
  });

  it('says which demos there are when the name is wrong', async () => {
    const run = await demo(['nope']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/no demo nope; the demos: .*first-steps.*ping-pong/);
  });

  for (const [name, steps, last] of [
    ['first-steps', 6, "chris> Node.list()\n    [ 'ben@"],
    ['ping-pong', 5, 'Every consumer agrees'],
    ['shortener', 5, 'It starts with an empty cache'],
    ['map-reduce', 3, '{ lines: 20000, missing: 0, doubled: 0 }'],
    ['crdt', 5, "'Redirects: 5   Redirects: 5   Redirects: 5'"],
  ] as const) {
    it(`${name} --auto runs every step, with its live view, and leaves nothing running`, async () => {
      const started = Date.now();
      const child = demo([name, '--auto']);
      const tree = watchTree(child.pid as number);
      const run = await child;
      tree.stop();
      process.stdout.write(`demo ${name} --auto: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      expect(run.exitCode, String(run.all)).toBe(0);
      expect(run.stdout).toContain(`Step ${steps}:`);
      expect(run.stdout).not.toContain(`Step ${steps + 1}:`);
      expect(run.stdout).toMatch(/live view: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      expect(run.stdout).toContain(last);
      expect(run.stdout).toContain('The end: stopping every node of the demo.');
      expect(tree.seen.size, 'the demo started its nodes as child processes').toBeGreaterThan(1);
      await waitFor(() => expect([...tree.seen].filter(alive)).toEqual([]), 5_000);
      await noNamesLeft();
    }, 90_000);
  }

  it('ends on its point: after the last step its nodes and live view stay until Enter is pressed once more', async () => {
    const child = demo(['ping-pong']);
    const tree = watchTree(child.pid as number);
    let out = '';
    let answered = 0;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      // Enter for each step, as the presenter presses it.
      for (const prompts = out.split('[Enter] runs it').length - 1; answered < prompts; answered++) child.stdin?.write('\n');
    });
    await waitFor(() => expect(out).toContain('[Enter] ends the demo'), 60_000);
    expect(answered, 'the steps the presenter ran').toBe(5);
    expect(out).toContain('Every consumer agrees');
    expect(out, 'the demo ended before the last Enter').not.toContain('The end');
    expect(descendants(child.pid as number).length, 'the three nodes still run').toBeGreaterThanOrEqual(3);

    // The projector still shows the heal: three nodes up, connected to each other, nothing cut.
    const page = new URL(/live view: (\S+)/.exec(out)?.[1] as string);
    const ws = new WebSocket(`ws://${page.host}/ws${page.search}`, { headers: { origin: page.origin } });
    let state: ViewState | undefined;
    let farewell: string | undefined;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; state?: ViewState; text?: string };
      if (m.type === 'state') state = m.state;
      if (m.type === 'end') farewell = m.text;
    });
    await waitFor(() => {
      expect(state?.caption).toMatch(/^5\. heal/);
      expect(state?.nodes.map((n) => [n.status, n.connected.length, n.blocked.length])).toEqual([
        ['up', 2, 0],
        ['up', 2, 0],
        ['up', 2, 0],
      ]);
    }, 15_000);
    expect(out, 'the demo ended before the last Enter').not.toContain('The end');

    child.stdin?.write('\n');
    const run = await child;
    tree.stop();
    expect(run.exitCode, out).toBe(0);
    expect(out).toContain('The end: stopping every node of the demo.');
    expect(farewell, 'what the live view keeps saying once the demo is gone').toBe('The demo has ended: its nodes are stopped.');
    await waitFor(() => expect([...tree.seen].filter(alive)).toEqual([]), 5_000);
    await noNamesLeft();
  }, 90_000);

  it('erlang, where erl is missing: it says so and starts nothing', async () => {
    const run = await demo(['erlang', '--auto', '--no-view'], { PATH: '/nonexistent' });
    expect(run.exitCode, String(run.all)).toBe(0);
    expect(run.stdout).toContain('This demo needs a real Erlang node, and Erlang/OTP is not installed here');
    expect(run.stdout).toContain('Skipped: nothing was started.');
    expect(run.stdout).not.toContain('Step 1:');
  }, 90_000);

  it('stops every node it started on Ctrl+C, in the middle of a demo', async () => {
    const child = demo(['ping-pong']);
    const tree = watchTree(child.pid as number);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => expect(out).toContain('[Enter] runs it'), 30_000);
    child.stdin?.write('\n');
    await waitFor(() => expect(out).toMatch(/Step 2:[^]*\[Enter\] runs it/), 30_000);
    expect(descendants(child.pid as number).length, 'the three nodes run').toBeGreaterThanOrEqual(3);
    child.kill('SIGINT');
    const run = await child;
    tree.stop();
    expect(run.exitCode).toBe(130);
    expect(out).toContain('Interrupted: stopping every node of the demo.');
    await waitFor(() => expect([...tree.seen].filter(alive)).toEqual([]), 5_000);
    await noNamesLeft();
  }, 90_000);
});

describe.skipIf(erlangMissing)(`npm run demo -- erlang${skipNote}`, () => {
  it('--auto: a real erl node joins kit nodes in Erlang mode, both ways; killed, it is nodedown; nothing is left running, nor the EPMD it started', async () => {
    // Erlang's port mapper on a free port, not an attendee's 4369.
    const child = demo(['erlang', '--auto'], { ERL_EPMD_PORT: String(await freePort()) });
    const tree = watchTree(child.pid as number);
    const run = await child;
    tree.stop();
    expect(run.exitCode, String(run.all)).toBe(0);
    for (const line of [
      "ben> net_adm:ping('dave@",
      'chris asked ben which nodes it is connected to, and met dave too',
      '#{heard => <<"hello from Erlang">>,on => <<"chris@',
      "{ heard: 'hello from TypeScript', on: 'ben@",
      '[ \'nodedown ben@',
      "DOWN greeter on ben@",
      'The end: stopping every node of the demo.',
    ]) expect(run.stdout).toContain(line);
    expect(run.stdout).toContain('Step 5:');
    expect(tree.seen.size, 'the demo started its nodes as child processes').toBeGreaterThan(2);
    await waitFor(() => expect([...tree.seen].filter(alive)).toEqual([]), 5_000);
    await noNamesLeft();
  }, 90_000);

});
