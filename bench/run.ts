// `npm run bench`: how fast the kit's distribution is on this machine, next to
// Erlang/OTP's own (with --erlang, when `erl` is on the PATH) and to the floor
// Node.js sets (a bare TCP echo between two Node.js processes). Each figure with
// its goal (issue 24: a ratio to Erlang, or to the floor where Node.js itself is
// slower than Erlang) and whether this run met it. Medians over runs; figures,
// never assertions (test/lib/hotPath.test.ts guards, in CI, what they are made of:
// frames per call, no zod and no Hmac per frame).
//
//   npm run bench                      the kit's column and the floor
//   npm run bench -- --erlang          and Erlang/OTP's, from the same run, with their ratio, and the round
//                                      trip between a kit node in Erlang mode and an erl node (kit ↔ Erlang/OTP)
//   npm run bench -- --json            the figures as JSON on stdout (the table goes to stderr)
//   npm run bench -- --json FILE       and written to FILE
//   npm run bench -- --only kit,floor  a part of it (kit, floor, hotpath, stages, erlang, wordcount, shortener, crdt)
//   npx -p node@24 npm run bench ...   on Node.js 24 (the table says which Node.js ran it)
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Node } from '../lib/index.ts';
import { EpmdClient } from '../lib/epmd/client.ts';
import { convergenceFigures } from './crdt.ts';
import { erlangFigures, erlangMissing } from './erlang.ts';
import { GOALS, records, table, type Figure } from './figures.ts';
import { hotPathFigures, hotPathTable, type HotStep } from './hotPath.ts';
import { floorFigures } from './floor.ts';
import { mixedFigures } from './mixed.ts';
import { kitFigures } from './kit.ts';
import { redirectFigures, ringFigures } from './shortener.ts';
import { benchWordCount } from './wordCount.ts';
import { stageFigures } from './stages.ts';
import { pickPortMapperPort } from '../lib/epmd/pickPort.ts';

// `--json` takes a file name or none: `--json FILE` is read as `--json --out FILE`.
const args = process.argv.slice(2);
const at = args.indexOf('--json');
if (at >= 0 && at + 1 < args.length && !(args[at + 1] as string).startsWith('--')) args.splice(at + 1, 0, '--out');
const { values } = parseArgs({ args, options: { erlang: { type: 'boolean' }, json: { type: 'boolean' }, out: { type: 'string' }, only: { type: 'string' } } });
// The stages' parts print their figures in their own words (console.log): to stderr with --json, whose stdout is the JSON.
if (values.json) console.log = console.error;
const parts = new Set((values.only ?? 'kit,floor,hotpath,stages,erlang,wordcount,shortener,crdt').split(','));
const options = {
  runs: Number(process.env.BENCH_RUNS ?? 5),
  trips: Number(process.env.BENCH_TRIPS ?? 10_000),
  messages: Number(process.env.BENCH_MESSAGES ?? 1_000_000),
  clusterRuns: Number(process.env.BENCH_CLUSTER_RUNS ?? 10),
};


const epmdPort = await pickPortMapperPort();
process.env.DISTSYS_EPMD_PORT = String(epmdPort);
const cookie = `bench${process.pid}`;
let figures: Figure[] = [];
let withErlang = false;
let hotPath: HotStep[] = [];

try {
  // One manager node for every part that needs one: a node stopped and started again in the
  // same process does not come back whole (its name may still be registered, its root process is stale).
  if (['kit', 'shortener', 'crdt'].some((part) => parts.has(part))) await Node.start({ sname: `benchmgr${process.pid}` }, { cookie });
  if (parts.has('kit')) {
    process.stderr.write('the kit:\n');
    figures.push(...(await kitFigures({ ...options, cookie, epmdPort })));
  }
  if (parts.has('floor')) {
    // Right after the kit, so both see the same machine; the goals of the round trips are ratios to it.
    process.stderr.write('the floor (bare Node.js)...\n');
    const floor = await floorFigures(options);
    const tcp = floor.find((f) => f.key === 'floorTcpRoundTripP50Us')?.kit;
    figures = figures.map((f) => (GOALS[f.key]?.base === 'floor' ? { ...f, floor: tcp } : f));
    figures.push(...floor);
  }
  if (parts.has('hotpath')) {
    process.stderr.write('where a message\'s time goes, step by step...\n');
    hotPath = await hotPathFigures();
  }
  if (values.erlang && parts.has('erlang')) {
    const missing = await erlangMissing();
    if (missing) process.stderr.write(`\n${missing}; printing the kit's column only.\n`);
    else {
      process.stderr.write('Erlang/OTP (same measures)...\n');
      const erl = await erlangFigures({ ...options, epmdPort: await pickPortMapperPort() });
      process.stderr.write('a kit node in Erlang mode and an erl node (round trips)...\n');
      const mixed = await mixedFigures({ runs: options.runs, trips: options.trips, epmdPort: await pickPortMapperPort() });
      figures = figures.map((f) => ({ ...f, erlang: erl.get(f.key), mixed: mixed.get(f.key) }));
      withErlang = true;
    }
  }
  if (parts.has('wordcount')) {
    // Stage 3's figure (the word count on 3 worker nodes against one process), in its own words.
    process.stderr.write('stage 3, map/reduce...\n');
    await benchWordCount(Math.min(options.runs, 3));
  }
  if (parts.has('shortener')) {
    // Stage 4's figures (the ring, redirects per second against a bare node:http), in their own words.
    process.stderr.write('stage 4, the link shortener...\n');
    ringFigures();
    await redirectFigures(Math.min(options.runs, 3), cookie);
  }
  if (parts.has('crdt')) {
    // Stage 5's figure (counts converging after a heal), in its own words.
    process.stderr.write('stage 5, the CRDT link shortener...\n');
    await convergenceFigures();
  }
  if (parts.has('stages')) {
    process.stderr.write('each stage against solutions/...\n');
    figures.push(...(await stageFigures()));
  }
} finally {
  await Node.stop();
  await EpmdClient.stopUnused(epmdPort);
}

// With --json, stdout carries the JSON alone (for a program to read) and the table goes to stderr.
const say = (text: string) => (values.json ? process.stderr : process.stdout).write(text);
const load = loadavg();
if (figures.length > 0) say(`\n${table(figures, withErlang)}\n\n`);
if (hotPath.length > 0) say(`Where a message's time goes in one node (bench/hotPath.ts):\n\n${hotPathTable(hotPath)}\n\n`);
say(
  `runs ${options.runs}, ${options.trips} trips, ${options.messages} messages, ${options.clusterRuns} clusters; Node.js ${process.version} (the one running this bench); ` +
    `${new Date().toISOString().slice(0, 10)}; load average ${load.map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores\n`,
);
if (values.json) {
  const json = `${JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverage: load, cores: availableParallelism(), options, figures: records(figures), hotPath }, null, 2)}\n`;
  process.stdout.write(json);
  if (values.out) {
    writeFileSync(values.out, json);
    say(`figures written to ${values.out}\n`);
  }
}
