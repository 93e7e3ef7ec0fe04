// Processes: spawn, self, registration, send to pids and {name, node}, selective
// receive with a timeout, exit, and ordered delivery across nodes.
import { beforeAll, describe, expect, it } from 'vitest';
import { Node, Process, ReceiveTimeout, receive, rpc, samePid, sameRef, self, send, spawn, type Pid } from '../../lib/index.ts';
import { fixture, startChild, startManager } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';
import { inProcess } from '../support/inProcess.ts';

const app = fixture('app.ts');
let other: string;

beforeAll(async () => {
  await startManager();
  other = (await startChild('procs')).name;
  expect(await Node.connect(other)).toBe(true);
});

const isObj = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null;

describe('processes', () => {
  it('spawn runs a function as a process with its own pid; self() tells which', () =>
    inProcess(async () => {
      const outer = self();
      const inner = await new Promise<Pid>((resolve) => spawn(() => resolve(self())));
      expect(inner.node).toBe(Node.self());
      expect(samePid(inner, outer)).toBe(false);
      expect(String(inner)).toMatch(/^#PID<.+\.\d+>$/);
    }));

  it('register, whereis and unregister a name; a taken name is refused', () =>
    inProcess(async () => {
      const pid = spawn(() => receive());
      expect(Process.register('regtest', pid)).toBe(true);
      expect(samePid(Process.whereis('regtest'), pid)).toBe(true);
      expect(Process.registered()).toContain('regtest');
      expect(() => Process.register('regtest', spawn(() => receive()))).toThrow(/regtest/);
      expect(Process.unregister('regtest')).toBe(true);
      expect(Process.whereis('regtest')).toBeUndefined();
      expect(() => Process.unregister('regtest')).toThrow(/no process is registered/);
    }));

  it('send reaches a pid and a {name, node} on another node, and answers come back', () =>
    inProcess(async () => {
      await rpc.call(other, app, 'startEcho', ['echo']);
      send({ name: 'echo', node: other }, { replyTo: self(), body: 'by name' });
      expect(await receive(undefined, 5_000)).toEqual({ echo: 'by name' });
      const echoPid = await rpc.call<Pid>(other, app, 'whereisName', ['echo']);
      expect(echoPid.node).toBe(other);
      send(echoPid, { replyTo: self(), body: 'by pid' });
      expect(await receive(undefined, 5_000)).toEqual({ echo: 'by pid' });
    }));

  it('receive is selective: it takes the oldest matching message and leaves the rest in order', () =>
    inProcess(async () => {
      const me = self();
      send(me, { kind: 'a', n: 1 });
      send(me, { kind: 'b', n: 2 });
      send(me, { kind: 'a', n: 3 });
      expect(await receive((m) => isObj(m) && m.kind === 'b')).toEqual({ kind: 'b', n: 2 });
      expect(await receive()).toEqual({ kind: 'a', n: 1 });
      expect(await receive()).toEqual({ kind: 'a', n: 3 });
    }));

  it('receive with a timeout ends with ReceiveTimeout, saying how long it waited', () =>
    inProcess(async () => {
      const error = await receive((m) => m === 'never', 50).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReceiveTimeout);
      expect(String((error as Error).message)).toMatch(/50 ms/);
      // A timeout of 0 only looks at what is already there.
      send(self(), 'here');
      expect(await receive((m) => m === 'here', 0)).toBe('here');
    }));

  it('Process.sendAfter sends later, to a pid or {name, node}; cancelTimer and the sender ending both call it off', () =>
    inProcess(async () => {
      const me = self();
      Process.register('timer-test');
      Process.sendAfter({ name: 'timer-test', node: Node.self() }, 'later', 20);
      expect(await receive(undefined, 5_000)).toBe('later');
      // Timers fire in the order they are due: a cancelled timer due first would arrive first.
      const cancelled = Process.sendAfter(me, 'cancelled', 10);
      Process.sendAfter(me, 'kept', 40);
      Process.cancelTimer(cancelled);
      expect(await receive(undefined, 5_000)).toBe('kept');
      const gone = spawn(() => {
        Process.sendAfter(me, 'from a process that ended', 10);
      });
      await waitFor(() => expect(Process.isAlive(gone)).toBe(false));
      Process.sendAfter(me, 'sentinel', 40);
      expect(await receive(undefined, 5_000)).toBe('sentinel');
      Process.unregister('timer-test');
    }));

  it('Process.exit ends another process; exitSelf ends the caller with a reason', () =>
    inProcess(async () => {
      const sleeper = spawn(() => receive());
      const mon = Process.monitor(sleeper);
      Process.exit(sleeper, 'stop now');
      expect(await receive((m) => isObj(m) && m.type === 'DOWN' && sameRef(m.ref as typeof mon, mon), 5_000)).toMatchObject({ reason: 'stop now' });
      expect(Process.isAlive(sleeper)).toBe(false);
      const { pid, ref } = Process.spawnMonitor(() => Process.exitSelf({ bye: 1 }));
      expect(await receive((m) => isObj(m) && m.type === 'DOWN' && sameRef(m.ref as typeof ref, ref), 5_000)).toMatchObject({ object: pid, reason: { bye: 1 } });
    }));

  it('10,000 messages from a process on one node to a process on another arrive in the order sent', () =>
    inProcess(async () => {
      const count = 10_000;
      // There to here.
      await rpc.call(other, app, 'sendNumbers', [self(), count]);
      const got: number[] = [];
      for (;;) {
        const msg = (await receive(undefined, 10_000)) as { n?: number; done?: true };
        if (msg.done) break;
        got.push(msg.n as number);
      }
      expect(got.length).toBe(count);
      expect(got.every((n, i) => n === i)).toBe(true);
      // Here to there.
      await rpc.call(other, app, 'startCounter', ['numbers']);
      await new Promise<void>((resolve) =>
        spawn(() => {
          for (let n = 0; n < count; n++) send({ name: 'numbers', node: other }, { n });
          resolve();
        }),
      );
      send({ name: 'numbers', node: other }, { report: self() });
      const { seen } = (await receive((m) => isObj(m) && 'seen' in m, 10_000)) as { seen: number[] };
      expect(seen.length).toBe(count);
      expect(seen.every((n, i) => n === i)).toBe(true);
    }));

  it('a message to a dead or unknown remote process is dropped silently, and the connection lives on', () =>
    inProcess(async () => {
      const victim = await rpc.call<Pid>(other, app, 'startVictim', ['shortlived']);
      send({ name: 'shortlived', node: other }, { exit: 'normal' });
      await waitFor(async () => expect(await rpc.call(other, app, 'whereisName', ['shortlived'])).toBeUndefined());
      expect(() => send(victim, 'to a dead pid')).not.toThrow();
      expect(() => send({ name: 'nobody-here', node: other }, 'to an unknown name')).not.toThrow();
      expect(await rpc.call(other, app, 'add', [1, 1])).toBe(2);
      expect(Node.list()).toContain(other);
      // A bare name nobody holds on this node is an error, as Erlang's badarg.
      expect(() => send('nobody-local', 'x')).toThrow(/nobody-local/);
    }));
});

describe('several receives at once', () => {
  it('each pending receive gets the oldest message it accepts', () =>
    inProcess(async () => {
      const me = self();
      const waitB = receive((m) => m === 'b', 5_000);
      const waitAny = receive(undefined, 5_000);
      send(me, 'a');
      send(me, 'b');
      expect(await Promise.all([waitB, waitAny])).toEqual(['b', 'a']);
    }));
});
