// Stage 2, warm-up: a watcher that says why a monitored process went down.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Node, Process, receive, rpc, spawn, type Pid } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { watch } from '#stage/exercise2-monitoring/watcher.ts';
import { inProcess } from '../support/inProcess.ts';

const VICTIMS = new URL('./victims.ts', import.meta.url).href;
let remote: string;

beforeAll(async () => {
  await LocalCluster.start();
  [remote] = (await LocalCluster.startNodes('watched', 1)) as [string];
});
afterAll(() => LocalCluster.stopNodes());

/** What watch(target) said, or a note that it never answered. */
async function verdict(target: Parameters<typeof watch>[0], afterWatching: () => unknown = () => {}): Promise<string> {
  const said = watch(target);
  await afterWatching();
  let answer: string | undefined;
  void said.then((a) => (answer = a), (e: Error) => (answer = `(watch failed: ${e.message})`));
  await vi
    .waitFor(() => {
      if (answer === undefined) throw new Error('no answer yet');
    }, { timeout: 5_000, interval: 20 })
    .catch(() => undefined);
  return answer ?? '(watch did not answer within 5 s)';
}

describe('stage 2 warm-up: a watcher', () => {
  it('warm-up: watch reports a normal exit', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      expect(await verdict(pid, () => Process.send(pid, 'go')), 'a process that returned normally').toBe('normal exit');
    }));

  it('warm-up: watch reports a crash with its error message', () =>
    inProcess(async () => {
      const pid = await rpc.call<Pid>(remote, VICTIMS, 'crashOnMessage', ['disk on fire']);
      expect(await verdict(pid, () => Process.send(pid, 'go')), `a process on ${remote.split('@')[0]} that threw Error('disk on fire')`).toBe('crash: disk on fire');
    }));

  it('warm-up: watch reports a node that went down', () =>
    inProcess(async () => {
      const [doomed] = (await LocalCluster.startNodes('doomed', 1)) as [string];
      const pid = await rpc.call<Pid>(doomed, VICTIMS, 'sleeper');
      expect(await verdict(pid, () => LocalCluster.kill(doomed)), 'a process whose node was killed').toBe('node down');
    }));

  it('warm-up: watch reports a process that was not running', () =>
    inProcess(async () => {
      expect(await verdict({ name: 'nobody', node: remote }), 'a name nobody holds').toBe('no such process');
      expect(await verdict({ name: 'nobody', node: Node.self() }), 'a name nobody holds here').toBe('no such process');
    }));

  it('warm-up: watch reports any other exit reason as JSON', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      expect(await verdict(pid, () => Process.exit(pid, { shutdown: 'maintenance' }))).toBe('exit: {"shutdown":"maintenance"}');
    }));
});
