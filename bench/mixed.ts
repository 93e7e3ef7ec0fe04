// The mixed figure of `npm run bench -- --erlang`: a round trip between a kit node
// in Erlang mode and an erl node, beside the kit's column (kit to kit) and Erlang's
// (erl to erl). A kit node (`distsys node --dist erlang`, booting mixedPing.ts) and
// an erl node with distbench's pong run on an EPMD port of their own (a free one:
// the kit node starts the kit's EPMD there, erl never starts one), and everything
// stops at the end. The cookie goes in the environment, never on a command line.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { spawnNode } from '../lib/cluster/spawnNode.ts';
import { epmdAnswers, killEpmd, listNames } from '../lib/erlang/epmdClient.ts';
import { shortHostname } from '../lib/nodeName.ts';
import { median } from './figures.ts';

// distbench.erl's pong/0, inline (nothing to compile); the node halts when its standard input closes.
const PONG = "register(pong, spawn(fun Pong() -> receive {From, I} -> From ! I, Pong() end end)), io:format(\"ready~n\"), io:get_line(''), halt().";

export async function mixedFigures(o: { runs: number; trips: number; epmdPort: number }): Promise<Map<string, number>> {
  const cookie = `bench${randomBytes(12).toString('hex')}`;
  const env = { ERL_EPMD_PORT: String(o.epmdPort) };
  const kit = await spawnNode({ sname: `mixedkit${process.pid}`, cookie, dist: 'erlang', boot: new URL('./mixedPing.ts', import.meta.url).href, env });
  const erl = spawn('erl', ['-sname', `mixedpong${process.pid}`, '-start_epmd', 'false', '-noshell', '-eval', PONG], {
    env: { ...process.env, ...env, ERL_AFLAGS: `-setcookie ${cookie}` },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const erlExited = new Promise((resolve) => erl.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      erl.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      erl.once('exit', (code) => reject(new Error(`the erl node of the mixed figure exited (${code})`)));
    });
    const answer = await new Promise<{ runs?: Array<{ p50: number; p99: number }>; error?: string }>((resolve) => {
      const off = kit.onMessage((m) => {
        off();
        resolve(m as { runs?: Array<{ p50: number; p99: number }>; error?: string });
      });
      kit.send({ node: `mixedpong${process.pid}@${shortHostname()}`, runs: o.runs, trips: o.trips });
    });
    if (!answer.runs) throw new Error(`the mixed round trips failed: ${answer.error}`);
    return new Map([
      ['roundTripP50Us', median(answer.runs.map((r) => r.p50))],
      ['roundTripP99Us', median(answer.runs.map((r) => r.p99))],
    ]);
  } finally {
    erl.stdin.end();
    await kit.stop().catch(() => kit.kill());
    await erlExited;
    // The EPMD the kit node started on this free port: stopped once nobody is registered.
    const at = { host: '127.0.0.1', port: o.epmdPort };
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && (await epmdAnswers(at)); await new Promise((r) => setTimeout(r, 50))) {
      if ((await listNames(at)).names.length === 0) await killEpmd(at).catch(() => undefined);
    }
  }
}
