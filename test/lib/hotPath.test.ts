// The guard on the speed of distribution that CI runs (issue 24). The standards
// forbid timed assertions (speed is measured in benchmarks: `npm run bench`), so
// this guards what the figures are made of, which does not depend on the machine:
// how many frames a GenServer call costs, and what each frame from a peer goes
// through. A change that sends the call's demonitor in a frame of its own again,
// checks each frame or entry with zod, or makes an Hmac object per frame, fails
// here on any machine, however busy; one that slows the code some other way is
// for the bench to show (its table compares the kit with the floor Node.js sets).
import { syncBuiltinESMExports } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GenServer, Node, receive, rpc, self, send } from '../../lib/index.ts';
import { entrySchemas } from '../../lib/distribution/entryCodec.ts';
import { FrameOpener, FrameSealer } from '../../lib/distribution/frameMac.ts';
import { distFrame } from '../../lib/distribution/frames.ts';
import { startChild, startManager } from '../support/nodes.ts';

// Every Hmac this file's node makes: one per proof and session key of a handshake
// (cookie.ts), none per frame. node:crypto's own createHmac is wrapped, and the live
// bindings of its ES module (what `import { createHmac } from 'node:crypto'` reads)
// are brought in line with it, so every module of the kit calls the wrapper.
let hmacsMade = 0;
const crypto = process.getBuiltinModule('node:crypto');
const realCreateHmac = crypto.createHmac;

const FIXTURES = new URL('../../bench/fixtures.ts', import.meta.url).href;
const CALLS = 200;

let far: string;

beforeAll(async () => {
  crypto.createHmac = (...args: Parameters<typeof realCreateHmac>) => {
    hmacsMade++;
    return realCreateHmac(...args);
  };
  syncBuiltinESMExports();
  await startManager();
  far = (await startChild('hot')).name;
  expect(await Node.connect(far)).toBe(true);
  // The handshake made its Hmacs through the wrapper, so the count below sees the kit's.
  expect(hmacsMade, "the handshake's Hmacs were counted").toBeGreaterThan(0);
  await rpc.call(far, FIXTURES, 'startEchoServer', ['echo']);
  await rpc.call(far, FIXTURES, 'startPong', ['pong']);
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  crypto.createHmac = realCreateHmac;
  syncBuiltinESMExports();
});

/** A batch frame (entries), as opposed to a tick or the list of peers. */
const isBatch = (text: unknown) => typeof text === 'string' && text.startsWith('{"t":"b"');

/** Counts the batch frames this node seals and opens from now on. */
function countFrames() {
  const sealed = vi.spyOn(FrameSealer.prototype, 'seal');
  const opened = vi.spyOn(FrameOpener.prototype, 'open');
  return {
    sent: () => sealed.mock.calls.filter(([text]) => isBatch(text)).length,
    received: () => opened.mock.results.filter((r) => r.type === 'return' && isBatch(r.value)).length,
  };
}

/** What lets the end-of-turn and check-phase flushes run, so that every queued entry has left. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the hot path of the kit transport', () => {
  it(`${CALLS} GenServer calls to another node cost one frame each way each (the demonitor travels with the next call)`, async () => {
    const server = { name: 'echo', node: far };
    await GenServer.call(server, 'warm-up');
    await settle();
    const frames = countFrames();
    for (let i = 0; i < CALLS; i++) expect(await GenServer.call(server, i)).toBe(i);
    await settle();
    // The last call's demonitor has no next call to travel with: it leaves in a frame of its own.
    expect(
      frames.sent(),
      `${CALLS} calls sent ${frames.sent()} batch frames, expected ${CALLS + 1}: a call's monitor and request leave in one frame, ` +
        "and its demonitor waits for the next one (entryCodec's canWait, Connection.send), not a frame of its own",
    ).toBe(CALLS + 1);
    expect(frames.received(), `${CALLS} calls received ${frames.received()} batch frames, expected one reply each`).toBe(CALLS);
  });

  it('frames and entries from a peer are checked without zod, and sealed and checked without an Hmac object', async () => {
    const frameSchema = vi.spyOn(distFrame, 'safeParse');
    const frameParse = vi.spyOn(distFrame, 'parse');
    const entryChecks = Object.values(entrySchemas).flatMap((schema) => [vi.spyOn(schema, 'safeParse'), vi.spyOn(schema, 'parse')]);
    const frames = countFrames();
    const hmacsBefore = hmacsMade;
    const me = self();
    for (let n = 0; n < CALLS; n++) {
      send({ name: 'pong', node: far }, { from: me, n });
      expect(await receive(undefined, 5_000)).toBe(n);
      await GenServer.call({ name: 'echo', node: far }, n);
    }
    await settle();
    expect(frames.received(), 'the round trips crossed the kit transport').toBeGreaterThanOrEqual(2 * CALLS);
    const zodCalls = frameSchema.mock.calls.length + frameParse.mock.calls.length + entryChecks.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    expect(
      zodCalls,
      `${zodCalls} zod parses for ${frames.received()} valid frames from a peer: the hot path checks frames and entries by hand ` +
        '(isDistFrame, isWire, which wireChecks.test.ts holds to the schemas); zod only words a refusal',
    ).toBe(0);
    expect(hmacsMade - hmacsBefore, 'Hmac objects made while frames crossed: the frame MAC is one SHA3-256 hash per frame (frameMac.ts)').toBe(0);
  });
});
