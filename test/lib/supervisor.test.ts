// Supervisor, one_for_one: a crashed child comes back under its name; a child
// that keeps crashing makes the supervisor give up with a clear reason.
import { describe, expect, it } from 'vitest';
import { GenServer, MAX_RESTART_INTENSITY, Pid, Process, Supervisor, addLogHandler, isDown, receive, samePid, sameRef, send, type LogEvent } from '../../lib/index.ts';
import { Counter } from './fixtures/app.ts';
import { inProcess } from '../support/inProcess.ts';
import { waitFor } from '../support/wait.ts';

const errors: string[] = [];
addLogHandler((e: LogEvent) => {
  if (e.level === 'error') errors.push(e.message);
});

const counterChild = (name: string) => ({ id: name, start: () => GenServer.startLink(Counter, 0, { name }) });

describe('Supervisor (one_for_one)', () => {
  it('restarts a crashed child under its registered name, with a fresh state, and leaves its siblings alone', () =>
    inProcess(async () => {
      const sup = await Supervisor.start([counterChild('sup-a'), counterChild('sup-b')], { name: 'sup-test' });
      expect(await GenServer.call('sup-a', { add: 5 })).toBe(5);
      expect(await GenServer.call('sup-b', { add: 7 })).toBe(7);
      const before = Process.whereis('sup-a') as Pid;
      const siblingBefore = Process.whereis('sup-b') as Pid;
      await expect(GenServer.call('sup-a', 'crash')).rejects.toThrow(/counter exploded/);
      await waitFor(() => expect(Process.whereis('sup-a') && !samePid(Process.whereis('sup-a'), before)).toBe(true));
      expect(await GenServer.call('sup-a', 'get')).toBe(0);
      expect(samePid(Process.whereis('sup-b'), siblingBefore)).toBe(true);
      expect(await GenServer.call('sup-b', 'get')).toBe(7);
      const children = await Supervisor.whichChildren(sup);
      expect(children.map((c) => c.id)).toEqual(['sup-a', 'sup-b']);
      await Supervisor.stop(sup);
      expect(Process.whereis('sup-a')).toBeUndefined();
      expect(Process.whereis('sup-b')).toBeUndefined();
    }));

  it('an EXIT from the same node and number as a child, of another incarnation, restarts nothing', () =>
    inProcess(async () => {
      const sup = await Supervisor.start([counterChild('sup-c')]);
      const child = Process.whereis('sup-c') as Pid;
      expect(await GenServer.call('sup-c', { add: 3 })).toBe(3);
      send(sup, { type: 'EXIT', from: new Pid(child.node, child.id, child.creation + 1), reason: 'boom' });
      const [entry] = await Supervisor.whichChildren(sup);
      expect(samePid(entry?.pid, child), 'the supervisor took an EXIT of another incarnation for its child').toBe(true);
      expect(await GenServer.call('sup-c', 'get')).toBe(3);
      await Supervisor.stop(sup);
    }));

  it('past its restart intensity the supervisor exits with reached_max_restart_intensity and logs why', () =>
    inProcess(async () => {
      const sup = await Supervisor.start([counterChild('sup-flaky')], { maxRestarts: 2, maxSeconds: 60 });
      const ref = Process.monitor(sup);
      for (let crash = 1; crash <= 3; crash++) {
        await waitFor(() => expect(Process.whereis('sup-flaky')).toBeDefined());
        await GenServer.call('sup-flaky', 'crash').catch(() => undefined);
      }
      const down = await receive((m) => isDown(m) && sameRef(m.ref, ref), 5_000);
      expect((down as { reason: unknown }).reason).toEqual(MAX_RESTART_INTENSITY);
      expect(errors.join('\n')).toMatch(/maximum restart intensity \(2 restarts in 60 s\).*sup-flaky.*counter exploded/);
      expect(Process.whereis('sup-flaky')).toBeUndefined();
    }));
});
