// Monitors and links, across nodes: DOWN with the reason, noproc, noconnection,
// nodeup/nodedown, and linked processes that die together unless one traps exits.
import { beforeAll, describe, expect, it } from 'vitest';
import { NetKernel, Node, Process, isDown, isExit, receive, rpc, samePid, sameRef, self, send, spawn, spawnLink, type DownMessage, type ExitMessage, type Pid, type Ref } from '../../lib/index.ts';
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
const downsIn = (ref: Ref) => (Process.info(self())?.messages ?? []).filter(downOf(ref));
/** Waits for a `{ [key]: value }` message a process sends the test. */
const told = <T>(key: string) => receive((m) => typeof m === 'object' && m !== null && key in m, 5_000) as Promise<Record<string, T>>;

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

  it('demonitor before the end stops the DOWN, here and across nodes', () =>
    inProcess(async () => {
      // A second monitor of the same process is the witness: its DOWN comes when the first one's would.
      const pid = spawn(() => receive());
      const ref = Process.monitor(pid);
      const witness = Process.monitor(pid);
      await Process.demonitor(ref);
      Process.exit(pid, 'kill');
      await receive(downOf(witness), 5_000);
      expect(downsIn(ref), 'a DOWN for a monitor removed before the process ended').toEqual([]);

      // Across nodes both DOWN messages would travel on the one connection, in the order of the monitors.
      const remote = await rpc.call<Pid>(other, app, 'startVictim', ['forgotten']);
      const remoteRef = Process.monitor(remote);
      const remoteWitness = Process.monitor(remote);
      await Process.demonitor(remoteRef);
      send(remote, { exit: 'done' });
      expect(await receive(downOf(remoteWitness), 5_000)).toMatchObject({ reason: 'done' });
      expect(downsIn(remoteRef), 'a DOWN for a remote monitor removed before the process ended').toEqual([]);
    }));

  it('demonitor with flush removes a DOWN already delivered, and only that one', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      const ref = Process.monitor(pid);
      const kept = Process.monitor(pid);
      Process.exit(pid, 'kill');
      expect(downsIn(ref), 'the DOWN is delivered at once for a local kill').toHaveLength(1);
      await Process.demonitor(ref, { flush: true });
      expect(downsIn(ref)).toEqual([]);
      expect(downsIn(kept), "flush leaves another monitor's DOWN alone").toHaveLength(1);
    }));
});

describe('links', () => {
  it('linked processes die together across nodes', () =>
    inProcess(async () => {
      const remote = await rpc.call<Pid>(other, app, 'startVictim', ['partner']);
      const me = self();
      const local = spawn(async () => {
        Process.link(remote);
        send(me, { linked: true });
        await receive();
      });
      const ref = Process.monitor(local);
      await told('linked'); // the link is made before the partner crashes, not raced against it
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

  it('a normal exit does not take a linked process down, an abnormal one does; kill cannot be trapped', () =>
    inProcess(async () => {
      const me = self();
      /** A process linked to a child that ends with `reason` when told to; both pids are handed to the test. */
      const pair = async () => {
        const partner = spawn(async () => {
          const child = spawnLink(async () => Process.exitSelf(await receive()));
          send(me, { pair: { child } });
          await receive();
        });
        const { child } = (await told<{ child: Pid }>('pair')).pair as { child: Pid };
        return { partner, child };
      };
      const calm = await pair();
      const calmChild = Process.monitor(calm.child);
      send(calm.child, 'normal');
      expect(await receive(downOf(calmChild), 5_000)).toMatchObject({ reason: 'normal' });
      // The exit signal reached the partner with the child's end: had it been fatal, the partner would be gone now.
      expect(Process.isAlive(calm.partner), 'a partner whose linked child ended normally').toBe(true);
      const hurt = await pair();
      const hurtPartner = Process.monitor(hurt.partner);
      send(hurt.child, 'boom');
      expect(await receive(downOf(hurtPartner), 5_000), 'a partner whose linked child exited with boom').toMatchObject({ reason: 'boom' });
      Process.exit(calm.partner, 'kill');

      const trapper = spawn(async () => {
        Process.flag('trapExit', true);
        await receive((m) => m === 'never');
      });
      const refKill = Process.monitor(trapper);
      Process.exit(trapper, 'kill');
      expect(await receive(downOf(refKill), 5_000)).toMatchObject({ reason: 'killed' });
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
