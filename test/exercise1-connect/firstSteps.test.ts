// Stage 1, warm-up: the deck's first steps, graded.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { hostname } from 'node:os';
import { Node, Process, addLogHandler, isDown, receive, rpc, self, send, sameRef, setConsoleLevel, spawn, type LogEvent, type Pid } from '../../lib/index.ts';
import { LocalCluster, spawnNode, type SpawnedNode } from '../../lib/cluster/index.ts';
import { callListener, connectAll, connectWithCookie, isUp, startListener } from '#stage/exercise1-connect/firstSteps.ts';
import { label, stageModule } from '../support/stage.ts';
import { inProcess } from '../support/inProcess.ts';

const FIRST_STEPS = stageModule('exercise1-connect/firstSteps.ts');
const HOST = hostname().split('.')[0] as string;
const started: SpawnedNode[] = [];
const listeners: Pid[] = [];
/** Nodes of their own, not connected to anyone yet (as in other terminals), by short name. */
const terminals = new Map<string, string>();
const terminal = (sname: string): string => terminals.get(sname) as string;

beforeAll(async () => {
  await LocalCluster.start();
  // Started all at once: starting a node is the slow part of these tests.
  const wanted: Array<[string, string]> = [['chris', Node.getCookie()], ['dave', Node.getCookie()], ['lonestar', 'lonestar']];
  await Promise.all(
    wanted.map(async ([sname, cookie]) => {
      const node = await spawnNode({ sname, cookie });
      started.push(node);
      terminals.set(sname, node.name);
    }),
  );
});
afterAll(async () => {
  for (const pid of listeners) Process.exit(pid, 'kill');
  await Promise.all(started.map((n) => n.kill()));
});

const show = (value: unknown): string => (value instanceof Error ? `an error (${value.message})` : JSON.stringify(value) ?? String(value));
const list = (nodes: unknown) => (Array.isArray(nodes) ? `[${nodes.map((n) => label(String(n))).join(', ')}]` : show(nodes));

/** Waits up to `ms` for a promise to settle; undefined if it is still pending then. */
async function settled<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | undefined> {
  let outcome: { value: T } | { error: unknown } | undefined;
  void promise.then((value) => (outcome = { value }), (error: unknown) => (outcome = { error }));
  await vi
    .waitFor(() => {
      if (!outcome) throw new Error('still pending');
    }, { timeout: ms, interval: 20 })
    .catch(() => undefined);
  return outcome;
}

/** A listener the test owns, registered as `name`: answers { from, text } with { heard, on }. */
function referenceListener(name: string): Pid {
  const pid = spawn(async () => {
    for (;;) {
      const { from, text } = await receive<{ from: Pid; text: string }>((m) => typeof m === 'object' && m !== null && 'from' in m && 'text' in m);
      send(from, { heard: text, on: Node.self() });
    }
  });
  Process.register(name, pid); // at once, so that a message sent by name right after finds it
  listeners.push(pid);
  return pid;
}

describe('stage 1 warm-up: first steps', () => {
  it('warm-up: connectAll connects to every node and returns the nodes it is connected to, sorted', async () => {
    const [chris, dave] = [terminal('chris'), terminal('dave')];
    const nobody = `nobody@${HOST}`;
    expect(Node.list(), 'before connectAll this node should be connected to nobody').toEqual([]);
    const given = [dave, nobody, chris];
    const mesh = await connectAll(given).catch((e: Error) => e);
    const expected = [chris, dave].sort();
    if (isDeepStrictEqual(mesh, expected)) return;
    const said = `connectAll(${list(given)}) returned ${list(mesh)}`;
    if (Array.isArray(mesh) && mesh.includes(nobody)) {
      throw new Error(`${said}: no node is called ${label(nobody)}, so this node cannot be connected to it. Return the nodes this node is connected to after connecting, not the ones it was given`);
    }
    if (Array.isArray(mesh) && isDeepStrictEqual([...mesh].sort(), expected)) throw new Error(`${said}: those are the right nodes, but not sorted`);
    const later = await settled(vi.waitFor(() => expect(Node.list().sort()).toEqual(expected), { timeout: 500, interval: 20 }), 1_500);
    if (later && 'value' in later) {
      throw new Error(`${said}, but a moment later this node was connected to ${list(expected)}: connectAll returned before its connections were made. Wait for each connection, then read the list`);
    }
    throw new Error(`${said}: it should connect to ${label(chris)} and ${label(dave)} (${label(nobody)} does not exist) and return ${list(expected)}`);
  });

  it('warm-up: isUp is true for a live node, connected or not yet, and false for a name nobody holds', async () => {
    const chris = terminal('chris');
    expect(await isUp(chris), `isUp(${label(chris)}) should be true: that node is running, so a ping answers 'pong'`).toBe(true);
    // A running node this node is not connected to (any more): Node.list() does not hold it, a ping still answers.
    Node.disconnect(chris);
    await vi.waitFor(() => expect(Node.list()).not.toContain(chris), { timeout: 2_000, interval: 20 });
    if (!(await isUp(chris))) {
      throw new Error(
        `isUp(${label(chris)}) said false after this node disconnected from it, though ${label(chris)} still runs: Node.list() holds only the nodes this node is connected to right now. ` +
          'Ask the node itself: a ping answers \'pong\' from any running node it can reach, connected before or not',
      );
    }
    expect(await isUp(`nobody@${HOST}`), `isUp(nobody@${HOST}) should be false: no node has that name, so a ping answers 'pang'`).toBe(false);
  });

  it('warm-up: a listener registered on one node answers every message sent to {name, node} from another', () =>
    inProcess(async () => {
      const other = terminal('dave');
      await Node.connect(other);
      await rpc.call(other, FIRST_STEPS, 'startListener', ['greeter']);
      const there = await callListener('greeter', other, 'hello').catch((e: Error) => e);
      expect(there, `callListener('greeter', ${label(other)}, 'hello') should get the answer of the listener started there`).toEqual({ heard: 'hello', on: other });
      const again = await callListener('greeter', other, 'hello again').catch((e: Error) => e);
      expect(again, `the listener on ${label(other)} answered 'hello' but not 'hello again': it must answer every message, not only the first`).toEqual({ heard: 'hello again', on: other });
      listeners.push(startListener('echo'));
      const back = await rpc.call(other, FIRST_STEPS, 'callListener', ['echo', Node.self(), 'hi']).catch((e: Error) => e);
      expect(back, `a listener registered here as 'echo' should answer ${label(other)}`).toEqual({ heard: 'hi', on: Node.self() });
    }));

  it('warm-up: the listener takes only { from, text } messages, so others waiting in its mailbox do not stop it', () =>
    inProcess(async () => {
      const pid = startListener('patient');
      listeners.push(pid);
      const ref = Process.monitor(pid);
      // Sent before the listener has run: they are waiting when it first looks at its mailbox.
      send(pid, 'noise');
      send(pid, { unrelated: true });
      send(pid, { from: self(), text: 'still there?' });
      const heard = await receive((m) => (isDown(m) && sameRef(m.ref, ref)) || (typeof m === 'object' && m !== null && 'heard' in m), 2_000).catch((e: Error) => e);
      if (isDown(heard) && heard.reason === 'normal') {
        throw new Error('the listener ended (normal) before it answered: it must keep running, and answer every { from, text } it receives');
      }
      if (isDown(heard)) {
        throw new Error(
          `the listener died (${String(heard.reason)}) on 'noise', a message that is not { from, text }, which was waiting in its mailbox: ` +
            'receive only the messages it serves (give receive a matcher) and leave the others',
        );
      }
      expect(heard, "the listener should answer { from, text } while 'noise' and { unrelated: true } wait in its mailbox").toEqual({ heard: 'still there?', on: Node.self() });
    }));

  it("warm-up: callListener takes only the listener's answer and leaves other messages in the caller's mailbox", () =>
    inProcess(async () => {
      referenceListener('eve');
      send(self(), 'noise');
      send(self(), { unrelated: true });
      const answer = await callListener('eve', Node.self(), 'hello').catch((e: Error) => e);
      const left = Process.info(self())?.messages ?? [];
      const taken = ['noise', { unrelated: true }].filter((m) => !left.some((l) => isDeepStrictEqual(l, m))).map(show).join(' and ');
      if (!isDeepStrictEqual(answer, { heard: 'hello', on: Node.self() })) {
        throw new Error(
          taken
            ? `callListener returned ${show(answer)}: it took ${taken}, which was waiting in the caller's mailbox before the answer came. Receive only the listener's answer (give receive a matcher)`
            : `callListener('eve', …, 'hello') returned ${show(answer)}, expected { heard: 'hello', on: '${Node.self()}' }`,
        );
      }
      if (taken) throw new Error(`callListener returned the answer, but took ${taken} out of the caller's mailbox on the way: receive only the answer and leave the rest`);
    }));

  it('warm-up: callListener gives up after its timeout when no one answers', () =>
    inProcess(async () => {
      const outcome = await settled(callListener('nobody', Node.self(), 'anyone?', 300), 3_000);
      if (!outcome) {
        throw new Error("callListener('nobody', …, 'anyone?', 300) was still waiting after 3 s, though no process holds that name: give up (throw) when no answer came within timeoutMs");
      }
      if ('value' in outcome) throw new Error(`callListener('nobody', …, 300) returned ${show(outcome.value)}, though no process holds that name: it should throw when no answer comes in time`);
    }));

  it('warm-up: callListener takes the answer to its own request, not a late answer to an earlier call that gave up', () =>
    inProcess(async () => {
      // A listener that answers only when the test says so: slow, not dead, as a busy node is.
      const slow = spawn(async () => {
        const { from, text } = await receive<{ from: Pid; text: string }>((m) => typeof m === 'object' && m !== null && 'from' in m && 'text' in m);
        await receive((m) => m === 'answer now');
        send(from, { heard: text, on: Node.self() });
      });
      Process.register('slowpoke', slow);
      listeners.push(slow);
      referenceListener('quick');
      const first = await settled(callListener('slowpoke', Node.self(), 'first', 200), 3_000);
      if (!first || !('error' in first)) throw new Error(`callListener('slowpoke', …, 'first', 200) should give up after 200 ms, since slowpoke had not answered; it ${first ? `returned ${show(first.value)}` : 'was still waiting after 3 s'}`);
      send(slow, 'answer now');
      // The late answer lands in the caller's mailbox, where it waits.
      await vi.waitFor(() => expect(Process.info(self())?.messages ?? []).toContainEqual({ heard: 'first', on: Node.self() }), { timeout: 2_000, interval: 20 });
      const second = await callListener('quick', Node.self(), 'second').catch((e: Error) => e);
      if (isDeepStrictEqual(second, { heard: 'first', on: Node.self() })) {
        throw new Error(
          "callListener('quick', …, 'second') returned { heard: 'first' }: the late answer to an earlier call that had given up, which was waiting in the caller's mailbox. " +
            'A slow node answers after you stopped waiting: take only the answer to this request (the text you sent, from the node you asked)',
        );
      }
      expect(second, "callListener('quick', …, 'second') should return quick's answer").toEqual({ heard: 'second', on: Node.self() });
    }));

  it('warm-up: a node with another cookie is refused, then accepted after setCookie', async () => {
    const mine = Node.getCookie();
    const lonestar = terminal('lonestar');
    // The refusal is logged as a warning (as it should be); keep it off the console and show it only if the test fails.
    const logged: LogEvent[] = [];
    const removeHandler = addLogHandler((event) => logged.push(event));
    setConsoleLevel('error');
    try {
      const outcome = await connectWithCookie(lonestar, 'lonestar');
      const said = logged.filter((e) => e.level === 'warning').map((e) => `\n  (this node logged: ${e.message})`).join('');
      expect(outcome, `connecting with our own cookie must fail (before: false); with the cookie set to lonestar it must succeed (after: true)${said}`).toEqual({ before: false, after: true });
      expect(Node.getCookie(), 'after connectWithCookie this node should hold the cookie it was given').toBe('lonestar');
    } finally {
      setConsoleLevel(consoleLevel());
      removeHandler();
      Node.setCookie(mine);
    }
  });
});

/** The console level this run started with (DISTSYS_LOG_LEVEL, else warning). */
function consoleLevel(): LogEvent['level'] {
  const level = process.env.DISTSYS_LOG_LEVEL;
  return level === 'debug' || level === 'info' || level === 'warning' || level === 'error' ? level : 'warning';
}

