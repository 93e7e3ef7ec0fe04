// Monitors and links, across nodes: DOWN with the reason, noproc, noconnection,
// nodeup/nodedown, and linked processes that die together unless one traps exits.
import { beforeAll, describe, expect, it } from 'vitest';
import { NetKernel, Node, Process, isDown, isExit, receive, rpc, samePid, sameRef, send, spawn, spawnLink, type DownMessage, type ExitMessage, type Pid, type Ref } from '../../lib/index.ts';
import { fixture, startChild, startManager } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';

const app = fixture('app.ts');
let other: string;

beforeAll(async () => {
  await startManager();
  other = (await startChild('mon')).name;
  expect(await Node.connect(other)).toBe(true);
});

const downOf = (ref: Ref) => (m: unknown): m is DownMessage => isDown(m) && sameRef(m.ref, ref);

describe('monitors', () => {
  it('a monitored remote process that exits delivers DOWN with its exit reason', () =>
    inProcess(async () => {
      const pid = await rpc.call<Pid>(other, app, 'startVictim', ['leaver']);
      const ref = Process.monitor(pid);
      send({ name: 'leaver', node: other }, { exit: { shutdown: 'done' } });
      const down = await receive(downOf(ref), 5_000);
      expect(down).toMatchObject({ type: 'DOWN', kind: 'process', reason: { shutdown: 'done' } });
      expect(samePid(down.object as Pid, pid)).toBe(true);
    }));

  it('a monitored remote process that crashes delivers DOWN with the error', () =>
    inProcess(async () => {
      await rpc.call<Pid>(other, app, 'startVictim', ['crasher']);
      const ref = Process.monitor({ name: 'crasher', node: other });
      send({ name: 'crasher', node: other }, { crash: 'boom' });
      const down = await receive(downOf(ref), 5_000);
      expect(down.object).toEqual({ name: 'crasher', node: other });
      expect(down.reason).toBeInstanceOf(Error);
      expect((down.reason as Error).message).toBe('boom');
    }));

  it('monitoring a dead pid or an unknown name delivers DOWN with noproc at once', () =>
    inProcess(async () => {
      const pid = await rpc.call<Pid>(other, app, 'startVictim', ['gone']);
      const first = Process.monitor(pid);
      send(pid, { exit: 'normal' });
      await receive(downOf(first), 5_000);
      const ref = Process.monitor(pid);
      expect(await receive(downOf(ref), 5_000)).toMatchObject({ reason: 'noproc' });
      const named = Process.monitor({ name: 'nobody', node: other });
      expect(await receive(downOf(named), 5_000)).toMatchObject({ reason: 'noproc' });
    }));

  it('demonitor stops the DOWN, and flush removes one already delivered', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      const ref = Process.monitor(pid);
      Process.exit(pid, 'kill');
      await Process.demonitor(ref, { flush: true });
      const again = spawn(() => receive());
      const ref2 = Process.monitor(again);
      Process.exit(again, 'kill');
      await receive(downOf(ref2), 5_000);
      expect(Process.info(Process.self())?.messages.filter(isDown)).toEqual([]);
    }));
});

describe('links', () => {
  it('linked processes die together across nodes', () =>
    inProcess(async () => {
      const remote = await rpc.call<Pid>(other, app, 'startVictim', ['partner']);
      const local = spawn(async () => {
        Process.link(remote);
        await receive();
      });
      const ref = Process.monitor(local);
      send(remote, { crash: 'partner failed' });
      const down = await receive(downOf(ref), 5_000);
      expect((down.reason as Error).message).toBe('partner failed');
    }));

  it('a process that traps exits gets the exit as a message and lives on', () =>
    inProcess(async () => {
      Process.flag('trapExit', true);
      const child = spawnLink(() => Process.exitSelf('child quit'));
      const exit = await receive((m): m is ExitMessage => isExit(m) && samePid(m.from, child), 5_000);
      expect(exit.reason).toBe('child quit');
      const remote = await rpc.call<Pid>(other, app, 'startVictim', ['trapped']);
      Process.link(remote);
      send(remote, { exit: 'remote quit' });
      const remoteExit = await receive((m): m is ExitMessage => isExit(m) && samePid(m.from, remote), 5_000);
      expect(remoteExit.reason).toBe('remote quit');
    }));

  it('a normal exit does not take a linked process down; kill cannot be trapped', () =>
    inProcess(async () => {
      const survivor = spawn(async () => {
        spawnLink(() => undefined);
        await receive();
      });
      const trapper = spawn(async () => {
        Process.flag('trapExit', true);
        await receive((m) => m === 'never');
      });
      const refKill = Process.monitor(trapper);
      Process.exit(trapper, 'kill');
      expect(await receive(downOf(refKill), 5_000)).toMatchObject({ reason: 'killed' });
      expect(Process.isAlive(survivor)).toBe(true);
      Process.exit(survivor, 'kill');
    }));
});

describe('node monitoring', () => {
  it('kill -9 of a node: DOWN noconnection for its processes, nodedown for subscribers; nodeup when one connects', () =>
    inProcess(async () => {
      NetKernel.monitorNodes(true);
      const doomed = await startChild('doomed');
      expect(await Node.connect(doomed.name)).toBe(true);
      expect(await receive((m) => (m as { type?: string; node?: string }).type === 'nodeup' && (m as { node: string }).node === doomed.name, 5_000)).toEqual({ type: 'nodeup', node: doomed.name });
      const pid = await rpc.call<Pid>(doomed.name, app, 'startVictim', ['victim']);
      const ref = Process.monitor(pid);
      await doomed.kill('SIGKILL');
      expect(await receive(downOf(ref), 5_000)).toMatchObject({ reason: 'noconnection' });
      expect(await receive((m) => (m as { type?: string }).type === 'nodedown', 5_000)).toEqual({ type: 'nodedown', node: doomed.name });
      expect(Node.list()).not.toContain(doomed.name);
      // Monitoring a process on a node that is gone is noconnection at once, too.
      const late = Process.monitor(pid);
      expect(await receive(downOf(late), 5_000)).toMatchObject({ reason: 'noconnection' });
      NetKernel.monitorNodes(false);
    }));
});
