// `npm run bench`: how fast the kit's distribution is on this machine, next to
// Erlang/OTP's own (with --erlang, when `erl` is on the PATH) and to the floor
// Node.js sets. Medians over runs; figures, never assertions.
//
//   npm run bench                      the kit's column
//   npm run bench -- --erlang          and Erlang/OTP's, from the same run, with their ratio, and the round
//                                      trip between a kit node in Erlang mode and an erl node (kit ↔ Erlang/OTP)
//   npm run bench -- --json FILE       also write the figures as JSON
//   npm run bench -- --only kit,floor  a part of it (kit, floor, stages, erlang, wordcount, shortener, crdt)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Node } from '../lib/index.ts';
import { EpmdClient } from '../lib/epmd/client.ts';
import { convergenceFigures } from './crdt.ts';
import { erlangFigures, erlangMissing } from './erlang.ts';
import { table, type Figure } from './figures.ts';
import { floorFigures } from './floor.ts';
import { mixedFigures } from './mixed.ts';
import { kitFigures } from './kit.ts';
import { redirectFigures, ringFigures } from './shortener.ts';
import { benchWordCount } from './wordCount.ts';
import { stageFigures } from './stages.ts';
import { pickPortMapperPort } from '../lib/epmd/pickPort.ts';

const { values } = parseArgs({ options: { erlang: { type: 'boolean' }, json: { type: 'string' }, only: { type: 'string' } } });
const parts = new Set((values.only ?? 'kit,floor,stages,erlang,wordcount,shortener,crdt').split(','));
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

try {
  // One manager node for every part that needs one: a node stopped and started again in the
  // same process does not come back whole (its name may still be registered, its root process is stale).
  if (['kit', 'shortener', 'crdt'].some((part) => parts.has(part))) await Node.start({ sname: `benchmgr${process.pid}` }, { cookie });
  if (parts.has('kit')) {
    process.stderr.write('the kit:\n');
    figures.push(...(await kitFigures({ ...options, cookie, epmdPort })));
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
  if (parts.has('floor')) figures.push(...(await floorFigures(options)));
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

process.stdout.write(`\n${table(figures, withErlang)}\n\n`);
process.stdout.write(`runs ${options.runs}, ${options.trips} trips, ${options.messages} messages, ${options.clusterRuns} clusters; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`);
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, options, figures }, null, 2)}\n`);
  process.stdout.write(`figures written to ${values.json}\n`);
}
