// Where a message's time goes inside one node, step by step, on the Node.js
// running it (`npm run bench -- --only hotpath`): each step of a round trip's
// two hops run alone in a loop, with the message the round-trip figure sends
// (`{from: pid, n}` to a registered name). Nanoseconds per message, the median
// of several batches after a warm-up; a step measured alone runs hotter (its
// code and data stay in the caches) than it does inside a real round trip, so
// these are lower bounds, to compare with each other and with the floor.
// The kernel's time (the system calls that move the bytes, and waking the
// process) is not here: bench/floor.ts measures it.
import { isUtf8 } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { kitChildEnv, tsEntryArgs } from '../lib/childProcess.ts';
import { decode, encode } from '../lib/codec.ts';
import { deliver, type Entry } from '../lib/distribution/entries.ts';
import { encodeEntry, entrySchemas, isWire, readEntry } from '../lib/distribution/entryCodec.ts';
import { FrameOpener, FrameSealer } from '../lib/distribution/frameMac.ts';
import { distFrame, isDistFrame } from '../lib/distribution/frames.ts';
import { localNode } from '../lib/localNode.ts';
import { monitor as monitorSignal, demonitor as demonitorSignal, installRouter } from '../lib/process/signals.ts';
import { table } from '../lib/process/table.ts';
import { receive, register, spawn } from '../lib/process/index.ts';
import { Pid } from '../lib/terms.ts';
import { median } from './figures.ts';

export interface HotStep {
  readonly key: string;
  readonly label: string;
  /** Nanoseconds per message (or per call, for the per-call steps). */
  readonly ns: number;
}

const FAR = 'far@bench-host';

/** Runs `step` in batches and returns the median nanoseconds per call. */
async function time(step: (i: number) => unknown, batch = 20_000, batches = 9): Promise<number> {
  for (let i = 0; i < batch; i++) await step(i);
  const perCall: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await step(i);
    perCall.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  return median(perCall);
}

/** Like `time`, for synchronous steps (no await per call, which would cost more than some steps). */
function timeSync(step: (i: number) => unknown, batch = 20_000, batches = 9): number {
  let sink: unknown;
  for (let i = 0; i < batch; i++) sink = step(i);
  const perCall: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink = step(i);
    perCall.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  if (sink === perCall) process.stderr.write('');
  return median(perCall);
}

/** The steps as a Markdown table. */
export function hotPathTable(steps: HotStep[]): string {
  const width = Math.max(...steps.map((s) => s.label.length));
  return [`| ${'step'.padEnd(width)} | ns per message |`, `|${'-'.repeat(width + 2)}|----------------|`, ...steps.map((s) => `| ${s.label.padEnd(width)} | ${s.ns.toFixed(0).padStart(14)} |`)].join('\n');
}

/**
 * Measures the steps in a process of their own: a fresh one (no node started, nothing else
 * warmed up), whose stub router (for the monitor step) cannot disturb the bench's own node.
 */
export async function hotPathFigures(): Promise<HotStep[]> {
  const run = await execa(process.execPath, tsEntryArgs(fileURLToPath(import.meta.url)), { stderr: 'inherit', env: kitChildEnv() });
  return JSON.parse(run.stdout) as HotStep[];
}

async function measure(): Promise<HotStep[]> {
  const steps: HotStep[] = [];
  const add = (key: string, label: string, ns: number) => {
    steps.push({ key, label, ns });
    process.stderr.write(`  ${label}: ${ns.toFixed(0)} ns\n`);
  };
  const me = new Pid(localNode.name, 17, localNode.creation);
  const message = (n: number) => ({ from: me, n });
  const entry = (n: number): Entry => ({ kind: 'sendName', name: 'pong', msg: message(n) });

  // The sending side: encode the entry (the codec's `$`-tag walk, then JSON.stringify), batch it, seal the frame.
  add('encodeEntryNs', 'encode an entry (codec walk + JSON.stringify)', timeSync((i) => encodeEntry(entry(i))));
  add('codecWalkNs', '  of which the codec walk', timeSync((i) => encode(['n', 'pong', message(i)])));
  const text = encodeEntry(entry(42));
  const frameText = `{"t":"b","e":[${text}]}`;
  const sealer = new FrameSealer(Buffer.alloc(32, 7));
  add('sealNs', 'seal a frame (its MAC)', timeSync(() => sealer.seal(frameText)));

  // The receiving side: check the MAC, UTF-8 (ws does it), JSON, the frame's schema, the entry (decode + schema), deliver.
  const sealers = new FrameSealer(Buffer.alloc(32, 9));
  const frames: Buffer[] = [];
  for (let i = 0; i < 200_000; i++) frames.push(Buffer.from(sealers.seal(frameText)));
  const opener = new FrameOpener(Buffer.alloc(32, 9));
  let next = 0;
  add('openNs', 'check a frame (its MAC)', timeSync(() => opener.open(frames[next++] as Buffer), 20_000, 9));
  const bytes = Buffer.from(frameText);
  add('utf8Ns', 'UTF-8 validation of a text frame (ws)', timeSync(() => isUtf8(bytes)));
  add('jsonParseNs', 'JSON.parse of the frame', timeSync(() => JSON.parse(bytes.toString('utf8'))));
  const parsed = JSON.parse(frameText) as { e: unknown[] };
  add('frameCheckNs', "the frame's check (by hand, as on the hot path)", timeSync(() => isDistFrame(parsed)));
  add('frameSchemaNs', "  the same check by its zod schema (the spec)", timeSync(() => distFrame.safeParse(parsed)));
  // An entry is read from what JSON.parse made of the frame, and decoded in place: each run parses its own.
  const parseEntry = () => JSON.parse(text) as unknown;
  const parseOnly = timeSync(parseEntry);
  add('readEntryNs', 'read an entry (decode in place + check)', timeSync(() => readEntry(parseEntry())) - parseOnly);
  add('decodeNs', '  of which the codec walk (decode)', timeSync(() => decode(parseEntry())) - parseOnly);
  const wire = decode(parseEntry());
  add('entryCheckNs', '  of which the check (by hand, as on the hot path)', timeSync(() => isWire(wire)));
  add('entrySchemaNs', '  the same check by its zod schema (the spec)', timeSync(() => entrySchemas.n.safeParse(wire)));

  // The hand-off: deliver an entry to a process waiting in receive, until that process runs.
  let resumed: (() => void) | undefined;
  spawn(async () => {
    register('pong');
    for (;;) {
      await receive();
      resumed?.();
    }
  });
  await new Promise((r) => setImmediate(r));
  const delivered = entry(1);
  add('handOffNs', 'deliver to a waiting process, until it runs (mailbox, promise)', await time(() => new Promise<void>((resolve) => {
    resumed = resolve;
    deliver(FAR, delivered);
  })));
  // The loop's own cost: a promise settled at once, awaited (the step above schedules nothing more).
  add('promiseNs', '  of which this loop\'s own promise (settled at once)', await time(() => new Promise<void>((resolve) => resolve())));

  // The flush: what scheduling the end-of-turn batch costs, in each event-loop phase.
  add('microtaskNs', 'schedule and run a callback: queueMicrotask', await time(() => new Promise<void>((resolve) => queueMicrotask(resolve))));
  add('nextTickNs', 'schedule and run a callback: process.nextTick', await time(() => new Promise<void>((resolve) => process.nextTick(resolve))));
  add('setImmediateNs', 'schedule and run a callback: setImmediate', await time(() => new Promise<void>((resolve) => setImmediate(resolve)), 5_000));

  // A GenServer call's monitor and demonitor of a remote server (their entries encoded, as the kernel would).
  installRouter({ route: (_node, e) => void encodeEntry(e) });
  try {
    const proc = table.current();
    const server = new Pid(FAR, 5, 1);
    add('monitorNs', 'monitor and demonitor a remote process (a call\'s)', timeSync(() => {
      const ref = monitorSignal(proc, server);
      demonitorSignal(proc, ref);
    }));
  } finally {
    installRouter(undefined);
  }
  return steps;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(await measure()));
  process.exit(0);
}
