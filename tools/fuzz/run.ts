// `npm run fuzz`: a fuzz campaign against the listeners an attacker on the
// network can reach (a node, the port mapper, the storage, a link shortener
// node), on loopback, and what another program on the same machine can try
// (hold a door with idle sockets, stop the port mapper, write into a relayed
// connection),
// bounded in count and time. Inputs come from fast-check generators; a failing
// input is shrunk and printed with the seed that replays it. All along, a real
// peer does round trips and writes; afterwards the target's sockets and memory
// must be back near where they started, and every acknowledged write there.
//
//   npm run fuzz                  the short campaign (CI runs it)
//   npm run fuzz -- --long        twenty times the inputs
//   npm run fuzz -- --seed 42     replay a campaign
//   npm run fuzz -- --only huge   only the kinds whose name contains 'huge'
import fc from 'fast-check';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Node } from '../../lib/index.ts';
import { tsEntryArgs } from '../../lib/childProcess.ts';
import { doorAttacks, doorInputs } from './doorAttacks.ts';
import { epmdAttacks, epmdInputs } from './epmdAttacks.ts';
import { watchHealth } from './health.ts';
import { nodeAttacks, nodeInputs } from './nodeAttacks.ts';
import { shortenerAttacks, shortenerInputs } from './shortenerAttacks.ts';
import { storageAttacks, storageInputs } from './storageAttacks.ts';
import type { TargetReady, TargetStats } from './target.ts';
import { closedWithin, tcp, type Outcome } from './wire.ts';
import { pickPortMapperPort } from '../../lib/epmd/pickPort.ts';

const { values } = parseArgs({ options: { long: { type: 'boolean' }, seed: { type: 'string' }, only: { type: 'string' } } });
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const scale = values.long ? 20 : 1;
const COOKIE = `fuzz${process.pid}`;
/** Inputs per kind in the short campaign. */
const RUNS: Record<string, number> = {
  'node: raw bytes instead of HTTP': 60,
  'node: frames before the handshake': 80,
  'node: frames declaring huge lengths': 20,
  'node: forged and replayed handshakes': 40,
  'node: frames after the handshake': 80,
  'node: frames a relay writes into the connection': 40,
  'node: idle sockets holding the door': 8,
  'port mapper: idle sockets holding the door': 8,
  'storage: idle sockets holding the door': 4,
  'port mapper: kill while a node uses it': 10,
  'port mapper: requests of every shape': 80,
  'port mapper: registrations that come and go': 20,
  'port mapper: web pages': 20,
  'storage: commands of every shape': 150,
  'storage: odd HTTP': 80,
  'storage: requests that stop halfway': 30,
  'shortener: odd URLs': 100,
  'shortener: creates of every shape': 120,
  'shortener: web pages': 20,
};


const epmdPort = await pickPortMapperPort();
process.env.DISTSYS_EPMD_PORT = String(epmdPort);
const target = execa(process.execPath, ['--expose-gc', ...tsEntryArgs(fileURLToPath(new URL('./target.ts', import.meta.url)))], {
  ipc: true,
  serialization: 'json',
  reject: false,
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  env: { DISTSYS_EPMD_PORT: String(epmdPort), FUZZ_COOKIE: COOKIE, DISTSYS_LOG_LEVEL: 'error' },
});
const ask = <T>(question: string, key: string): Promise<T> =>
  new Promise((resolve) => {
    const listener = (m: unknown) => {
      if (typeof m === 'object' && m !== null && key in m) {
        target.off('message', listener);
        resolve((m as Record<string, T>)[key] as T);
      }
    };
    target.on('message', listener);
    if (question) target.send(question);
  });

const problems: string[] = [];
const table: Array<{ kind: string; inputs: number; outcomes: Map<Outcome, number> }> = [];
const started = Date.now();
try {
  const ready = await ask<TargetReady>('', 'ready');
  await Node.start({ sname: `fuzzer${process.pid}` }, { cookie: COOKIE });
  if (!(await Node.connect(ready.node))) throw new Error(`cannot connect to the target ${ready.node}`);
  const health = watchHealth(ready.node, ready.storageUrl, ready.shortenerPort);
  await new Promise((r) => setTimeout(r, 1_000));
  await ask('gc', 'gc');
  const before = await ask<TargetStats>('stats', 'stats');
  process.stdout.write(`fuzzing ${ready.node} (node port ${ready.nodePort}), its port mapper (${ready.epmdPort}) and its storage; seed ${seed}\n`);

  const campaigns = [
    [nodeInputs, nodeAttacks({ port: ready.nodePort, name: ready.node, cookie: COOKIE })],
    [epmdInputs, epmdAttacks(ready.epmdPort)],
    [storageInputs, storageAttacks(ready.storageUrl)],
    [shortenerInputs, shortenerAttacks(ready.shortenerPort)],
    [doorInputs, doorAttacks({ nodePort: ready.nodePort, node: ready.node, cookie: COOKIE, epmdPort: ready.epmdPort, storageUrl: ready.storageUrl })],
  ] as const;
  for (const [inputs, attacks] of campaigns) {
    for (const [kind, arbitrary] of Object.entries(inputs)) {
      const attack = (attacks as Record<string, (input: unknown) => Promise<Outcome>>)[kind];
      if (!attack || (values.only && !kind.includes(values.only))) continue;
      const outcomes = new Map<Outcome, number>();
      let inputsTried = 0;
      try {
        await fc.assert(
          fc.asyncProperty(arbitrary as fc.Arbitrary<unknown>, async (input) => {
            inputsTried++;
            const outcome = await attack(input);
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          }),
          { numRuns: (RUNS[kind] ?? 50) * scale, seed, endOnFailure: true },
        );
      } catch (err) {
        problems.push(`${kind}: ${(err as Error).message.split(/\r?\n/).slice(0, 6).join('\n    ')}`);
      }
      table.push({ kind, inputs: inputsTried, outcomes });
      process.stdout.write(`  ${kind}: ${inputsTried} inputs\n`);
    }
  }

  // Floods: many connections at once to each listener, then gone.
  const storagePort = Number(new URL(ready.storageUrl.replace(/\/\/.*@/, '//')).port);
  for (const [name, port] of [['node', ready.nodePort], ['port mapper', ready.epmdPort], ['storage', storagePort], ['shortener', ready.shortenerPort]] as const) {
    const outcomes = new Map<Outcome, number>();
    for (let round = 0; round < 3 * scale; round++) {
      const sockets = await Promise.all(Array.from({ length: 300 }, () => tcp(port).catch(() => undefined)));
      const closed = await Promise.all(sockets.map((s) => (s ? closedWithin(s, 150) : Promise.resolve(true))));
      for (const c of closed) outcomes.set(c ? 'refused at the door' : 'left open (we closed it)', (outcomes.get(c ? 'refused at the door' : 'left open (we closed it)') ?? 0) + 1);
    }
    table.push({ kind: `${name}: floods of 300 connections`, inputs: 900 * scale, outcomes });
  }

  const missing = await health.finish();
  if (missing.length) problems.push(`${missing.length} acknowledged writes or links are lost: ${missing.slice(0, 5).join(', ')}`);
  if (health.failures.length) problems.push(`the real peer saw ${health.failures.length} failures while fuzzing, first: ${health.failures[0]}`);
  if (health.roundTrips === 0) problems.push('the real peer made no round trip at all');

  // Back near where it started: sockets within a few of the baseline, memory within a bound.
  let after = await ask<TargetStats>('stats', 'stats');
  const sockets = (s: TargetStats) => (s.handles.TCPSocketWrap ?? 0) + (s.handles.TCPWRAP ?? 0);
  for (let waited = 0; waited < 20_000 && sockets(after) > sockets(before) + 3; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    after = await ask<TargetStats>('stats', 'stats');
  }
  await ask('gc', 'gc');
  after = await ask<TargetStats>('stats', 'stats');
  if (sockets(after) > sockets(before) + 3) problems.push(`the target still holds ${sockets(after)} sockets (it had ${sockets(before)} before)`);
  if (after.rssMiB > before.rssMiB + 96) problems.push(`the target's memory grew from ${before.rssMiB.toFixed(0)} to ${after.rssMiB.toFixed(0)} MiB`);

  process.stdout.write(`\n| kind | inputs | what became of them |\n|---|---|---|\n`);
  for (const row of table) {
    const what = [...row.outcomes].map(([o, n]) => `${o}: ${n}`).join(', ');
    process.stdout.write(`| ${row.kind} | ${row.inputs} | ${what} |\n`);
  }
  process.stdout.write(
    `\nthe real peer: ${health.roundTrips} round trips, ${health.acknowledged} acknowledged writes and ${health.links} links created, none lost; ` +
      `the target: sockets ${sockets(before)} -> ${sockets(after)}, memory ${before.rssMiB.toFixed(0)} -> ${after.rssMiB.toFixed(0)} MiB; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s, seed ${seed}\n`,
  );
} catch (err) {
  problems.push(`the campaign could not run: ${(err as Error).stack ?? String(err)}`);
} finally {
  await Node.stop();
  // The target stops when its IPC channel closes (a signal would not let it clean up on Windows).
  if (target.connected) target.disconnect();
  await target;
}
if (problems.length) {
  process.stdout.write(`\nFAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\nreplay with: npm run fuzz -- --seed ${seed}${values.long ? ' --long' : ''}\n`);
  process.exit(1);
}
process.stdout.write('no input made the target crash, hang, leak or lose an acknowledged write\n');
