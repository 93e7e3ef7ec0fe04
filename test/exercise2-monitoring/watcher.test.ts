// Stage 2, warm-up: a watcher that says why a monitored process went down, for
// every reason in the lesson's table. Each case runs watch() with other messages
// already waiting in the caller's mailbox: the DOWN of another monitor, 'noise',
// and, for the same target, the DOWN of the test's own monitor. watch must answer
// from its own DOWN, leave those alone, and leave nothing behind once it has
// answered: no message of its own in the mailbox (a second monitor's DOWN, a
// nodedown from a subscription), no exit trapping, no link.
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { Node, Process, isDown, isExit, receive, rpc, self, send, sameRef, spawn, type Pid, type Ref } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { watch } from '#stage/exercise2-monitoring/watcher.ts';
import { label } from '../support/stage.ts';
import { inProcess } from '../support/inProcess.ts';

const VICTIMS = new URL('./victims.ts', import.meta.url).href;
let remote: string;
/** A node started with the other, all at once, to be killed by the test that needs a node to die. */
let doomed: string;

// A target that lives longer than a watcher might wait before giving up: its watch starts with the file and is
// judged last, so that its 6 s run beside the start of the cluster and the other cases.
const LIVES_MS = 6_000;
let patient: Promise<{ answer: string; afterMs: number }> | undefined;

beforeAll(async () => {
  await LocalCluster.start();
  patient = inProcess(async () => {
    const pid = spawn(() => new Promise((resolve) => setTimeout(resolve, LIVES_MS)));
    const started = Date.now();
    const answer = await watch(pid).catch((e: Error) => `(watch threw ${e.name}: ${e.message})`);
    return { answer, afterMs: Date.now() - started };
  });
  [remote, doomed] = (await LocalCluster.startNodes('watched', 2)) as [string, string];
});
afterAll(() => LocalCluster.stopNodes());

const ANOTHER = { shutdown: 'another monitor' };
const mailbox = (): readonly unknown[] => Process.info(self())?.messages ?? [];
const downOf = (ref: Ref) => (m: unknown): boolean => isDown(m) && sameRef(m.ref, ref);

/** A message watch left in its caller's mailbox, in the stage's words. */
function leftover(message: unknown): string {
  if (isDown(message)) {
    return `a DOWN message in the caller's mailbox (reason ${JSON.stringify(String(message.reason))}), of a monitor it set and never took: set one monitor, take its DOWN, and nothing of watch stays behind`;
  }
  const event = message as { type?: unknown; node?: unknown };
  if (event?.type === 'nodedown' || event?.type === 'nodeup') {
    return (
      `a ${String(event.type)} message in the caller's mailbox: watch subscribed the caller to node events (NetKernel.monitorNodes) and left it subscribed, so every node that comes or goes from now on ` +
      'sends it one more. A monitor alone says when the target\'s node goes down (the reason is \'noconnection\')'
    );
  }
  if (isExit(message)) return 'an exit signal, trapped as a message, in the caller\'s mailbox: watch linked to the target; a monitor is all it needs';
  return `a message in the caller's mailbox that was not there before: ${String(JSON.stringify(message) ?? message).slice(0, 120)}`;
}

/**
 * Watches `target` with other messages waiting in the mailbox, ends it with `end`,
 * and fails, in the stage's words, unless watch says `expected`, leaves the other
 * messages where they were, and leaves nothing of its own behind.
 */
async function expectVerdict(
  what: string,
  target: Pid | { name: string; node: string },
  end: () => unknown,
  expected: string,
  hint?: (answer: string) => string,
): Promise<void> {
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
  // Whatever else the target's node sent this process (another DOWN, say) travelled before the answer to this call.
  const { node } = target;
  if (node !== Node.self() && Node.list().includes(node)) await rpc.call(node, VICTIMS, 'here').catch(() => undefined);
  const planted = (m: unknown) => m === 'noise' || downOf(otherRef)(m) || downOf(mine)(m);
  const stray = mailbox().find((m) => !planted(m));
  const info = Process.info(self());
  const took = !kept.noise
    ? "'noise', a message that is not a DOWN at all, which was already waiting in the mailbox. Receive only the DOWN of your own monitor"
    : !kept.another
      ? `the DOWN of another monitor (reason ${JSON.stringify(ANOTHER)}), which was already waiting in the mailbox. Take only the DOWN that carries your own ref`
      : !kept.mine
        ? "the DOWN of the test's own monitor of the same process: two monitors of one process give two DOWN messages, told apart by their refs. Take the one with your ref"
        : undefined;
  try {
    if (answer === undefined) {
      const untaken = stray !== undefined && isDown(stray);
      throw new Error(
        `${what}: watch did not answer within 5 s. ` +
          (untaken
            ? 'The DOWN of the monitor it set is in the caller\'s mailbox, and its receive let it pass: compare refs with sameRef(m.ref, ref). === compares objects, and a DOWN that came from another node carries a Ref object of its own'
            : `Does its receive match the DOWN of the monitor it set (its ref)?${took ? ` It took ${took}` : ''}`),
      );
    }
    if (answer !== expected) throw new Error(`${what}: watch said '${answer}', expected '${expected}'${took ? `. It took ${took}` : hint ? `: ${hint(answer)}` : ''}`);
    if (took) throw new Error(`${what}: watch said '${answer}', rightly, but it took ${took}`);
    if (stray !== undefined) throw new Error(`${what}: watch said '${answer}', rightly, but it left ${leftover(stray)}`);
    if (info?.trapExit) {
      throw new Error(`${what}: watch said '${answer}', rightly, but it left the caller trapping exits: a monitor is all it needs, and it must not change how its caller dies (set no flag, make no link)`);
    }
    if (info && info.links.length > 0) throw new Error(`${what}: watch said '${answer}', rightly, but it left the caller linked to ${info.links.join(', ')}: a monitor is one-way, a link would take the caller down with the target`);
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

  it("warm-up: watch reports a process that was killed (reason 'killed') as any other reason, as JSON", () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      await expectVerdict("a process killed with Process.exit(pid, 'kill')", pid, () => Process.exit(pid, 'kill'), 'exit: "killed"', (answer) =>
        answer === 'node down'
          ? "'killed' means that someone killed the process (Process.exit(pid, 'kill')); its node is still up. Only 'noconnection' means the node went away"
          : "'killed' is not one of the reasons with words of their own: like any other reason it is shown as JSON, a string in quotes (JSON.stringify)",
      );
    }));

  it('warm-up: watch reports any other exit reason as JSON', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      await expectVerdict("a process stopped with Process.exit(pid, { shutdown: 'maintenance' })", pid, () => Process.exit(pid, { shutdown: 'maintenance' }), 'exit: {"shutdown":"maintenance"}');
    }));

  it(`warm-up: watch waits as long as its target lives (${LIVES_MS / 1000} s here): silence is not a node down`, async () => {
    const { answer, afterMs } = await (patient as NonNullable<typeof patient>);
    if (answer === 'normal exit') return;
    const when = `after ${(afterMs / 1000).toFixed(1)} s`;
    throw new Error(
      afterMs < LIVES_MS
        ? `a process that ran for ${LIVES_MS / 1000} s, then returned: watch said '${answer}' ${when}, while it still ran. Only its DOWN says that a process ended, and why: ` +
            "a monitor reports a node that goes down itself ('noconnection'), however long that takes. A watcher that gives up after a silence calls a busy process dead, and leaves its monitor behind"
        : `a process that ran for ${LIVES_MS / 1000} s, then returned: watch said '${answer}' ${when}, expected 'normal exit'`,
    );
  });
});

