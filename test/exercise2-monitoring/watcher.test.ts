// Stage 2, warm-up: a watcher that says why a monitored process went down. Each
// case runs watch() with other messages already waiting in the caller's mailbox:
// the DOWN of another monitor, 'noise', and, for the same target, the DOWN of the
// test's own monitor. watch must answer from its own DOWN and leave those alone.
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { Node, Process, isDown, receive, rpc, self, send, sameRef, spawn, type Pid, type Ref } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { watch } from '#stage/exercise2-monitoring/watcher.ts';
import { label } from '../support/stage.ts';
import { inProcess } from '../support/inProcess.ts';

const VICTIMS = new URL('./victims.ts', import.meta.url).href;
let remote: string;
/** A node started with the other, all at once, to be killed by the test that needs a node to die. */
let doomed: string;

beforeAll(async () => {
  await LocalCluster.start();
  [remote, doomed] = (await LocalCluster.startNodes('watched', 2)) as [string, string];
});
afterAll(() => LocalCluster.stopNodes());

const ANOTHER = { shutdown: 'another monitor' };
const mailbox = (): readonly unknown[] => Process.info(self())?.messages ?? [];
const downOf = (ref: Ref) => (m: unknown): boolean => isDown(m) && sameRef(m.ref, ref);

/**
 * Watches `target` with other messages waiting in the mailbox, ends it with `end`,
 * and fails, in the stage's words, unless watch says `expected` and leaves the
 * other messages where they were.
 */
async function expectVerdict(what: string, target: Pid | { name: string; node: string }, end: () => unknown, expected: string): Promise<void> {
  // Already waiting: a message that is not a DOWN at all, then the DOWN of another monitor.
  send(self(), 'noise');
  const other = spawn(() => receive());
  const otherRef = Process.monitor(other);
  Process.exit(other, ANOTHER);
  await vi.waitFor(() => {
    if (!mailbox().some(downOf(otherRef))) throw new Error('no DOWN yet');
  });
  // The test watches the same target too, with a monitor of its own, set first.
  const mine = Process.monitor(target);

  let answer: string | undefined;
  void watch(target).then((a) => (answer = a), (e: Error) => (answer = `(watch threw ${e.name}: ${e.message})`));
  await end();
  await vi
    .waitFor(() => {
      if (answer === undefined) throw new Error('no answer yet');
    }, { timeout: 5_000, interval: 20 })
    .catch(() => undefined);

  // What watch left: the three other messages must all still be there (the test's own DOWN may trail a little).
  const left = async () => {
    const box = mailbox();
    return { noise: box.includes('noise'), another: box.some(downOf(otherRef)), mine: box.some(downOf(mine)) };
  };
  let kept = await left();
  if (!(kept.noise && kept.another && kept.mine)) {
    await vi.waitFor(async () => {
      kept = await left();
      if (!kept.mine) throw new Error('not yet');
    }, { timeout: 1_000, interval: 20 }).catch(() => undefined);
  }
  const took = !kept.noise
    ? "'noise', a message that is not a DOWN at all, which was already waiting in the mailbox. Receive only the DOWN of your own monitor"
    : !kept.another
      ? `the DOWN of another monitor (reason ${JSON.stringify(ANOTHER)}), which was already waiting in the mailbox. Take only the DOWN that carries your own ref`
      : !kept.mine
        ? "the DOWN of the test's own monitor of the same process: two monitors of one process give two DOWN messages, told apart by their refs. Take the one with your ref"
        : undefined;
  try {
    if (answer === undefined) {
      throw new Error(`${what}: watch did not answer within 5 s. Does its receive match the DOWN of the monitor it set (its ref)?${took ? ` It took ${took}` : ''}`);
    }
    if (answer !== expected) throw new Error(`${what}: watch said '${answer}', expected '${expected}'${took ? `. It took ${took}` : ''}`);
    if (took) throw new Error(`${what}: watch said '${answer}', rightly, but it took ${took}`);
  } finally {
    // Start the next case with an empty mailbox.
    await Process.demonitor(mine, { flush: true });
    while (mailbox().length > 0) await receive(() => true, 0).catch(() => undefined);
  }
}

describe('stage 2 warm-up: a watcher', () => {
  it('warm-up: watch reports a normal exit', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      await expectVerdict('a process that returned normally', pid, () => send(pid, 'go'), 'normal exit');
    }));

  it('warm-up: watch reports a crash with its error message', () =>
    inProcess(async () => {
      const pid = await rpc.call<Pid>(remote, VICTIMS, 'crashOnMessage', ['disk on fire']);
      await expectVerdict(`a process on ${label(remote)} that threw Error('disk on fire')`, pid, () => send(pid, 'go'), 'crash: disk on fire');
    }));

  it('warm-up: watch reports a node that went down', () =>
    inProcess(async () => {
      const pid = await rpc.call<Pid>(doomed, VICTIMS, 'sleeper');
      await expectVerdict(`a process whose node (${label(doomed)}) was killed`, pid, () => LocalCluster.kill(doomed), 'node down');
    }));

  it('warm-up: watch reports a process that was not running', () =>
    inProcess(async () => {
      await expectVerdict(`a name nobody holds on ${label(remote)}`, { name: 'nobody', node: remote }, () => undefined, 'no such process');
      await expectVerdict('a name nobody holds here', { name: 'nobody', node: Node.self() }, () => undefined, 'no such process');
    }));

  it('warm-up: watch reports any other exit reason as JSON', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      await expectVerdict("a process stopped with Process.exit(pid, { shutdown: 'maintenance' })", pid, () => Process.exit(pid, { shutdown: 'maintenance' }), 'exit: {"shutdown":"maintenance"}');
    }));
});

