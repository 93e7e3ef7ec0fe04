// GenServer across nodes: callbacks, deferred replies, call errors that say what
// happened, abcast and multiCall.
import { beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { CallError, GenServer, Node, Pid, Process, isDown, receive, rpc, sameRef, self, send, type From } from '../../lib/index.ts';
import { fixture, startChild, startManager } from '../support/nodes.ts';
import type { SpawnedNode } from '../../lib/cluster/spawnNode.ts';
import { inProcess } from '../support/inProcess.ts';
import { waitFor } from '../support/wait.ts';

const app = fixture('app.ts');
let a: SpawnedNode;
let b: SpawnedNode;
const ghost = `ghost${process.pid}@${hostname().split('.')[0]}`;

beforeAll(async () => {
  await startManager();
  [a, b] = await Promise.all([startChild('gsa'), startChild('gsb')]);
  expect(await Node.connect(a.name)).toBe(true);
  expect(await Node.connect(b.name)).toBe(true);
});

const callError = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as CallError);

describe('GenServer', () => {
  it('init, handleCall, handleCast and handleInfo each do their part', () =>
    inProcess(async () => {
      const seen: unknown[] = [];
      const pid = await GenServer.start(
        {
          init: (start: number) => start * 10,
          handleCall: (req: 'get', _from: From, state: number) => ({ reply: { req, state }, state }),
          handleCast: (msg: { add: number }, state: number) => ({ noreply: true as const, state: state + msg.add }),
          handleInfo: (msg: unknown, state: number) => {
            seen.push(msg);
            return { noreply: true as const, state };
          },
        },
        4,
        { name: 'local-server' },
      );
      expect(Process.whereis('local-server')).toEqual(pid);
      expect(await GenServer.call('local-server', 'get')).toEqual({ req: 'get', state: 40 });
      GenServer.cast('local-server', { add: 2 });
      send(pid, 'plain message');
      expect(await GenServer.call(pid, 'get')).toEqual({ req: 'get', state: 42 });
      expect(seen).toEqual(['plain message']);
      await GenServer.stop(pid);
      expect(Process.whereis('local-server')).toBeUndefined();
    }));

  it("only its parent's exit stops a server: an EXIT from the same node and number of another incarnation is a plain message", () =>
    inProcess(async () => {
      const seen: unknown[] = [];
      const pid = await GenServer.start({
        init: () => null,
        handleCall: (_req: 'ping', _from: From, state: null) => ({ reply: 'pong', state }),
        handleInfo: (msg: unknown, state: null) => {
          seen.push(msg);
          return { noreply: true as const, state };
        },
      }, undefined);
      const parent = self();
      const stale = { type: 'EXIT', from: new Pid(parent.node, parent.id, parent.creation + 1), reason: 'stale' };
      send(pid, stale);
      expect(await GenServer.call(pid, 'ping'), 'the server stopped on an EXIT from a pid that is not its parent').toBe('pong');
      expect(seen).toEqual([stale]);
      await GenServer.stop(pid);
    }));

  it('calls and casts reach a named server on another node; a deferred reply arrives', () =>
    inProcess(async () => {
      await rpc.call(a.name, app, 'startCounterServer', ['counter', 5]);
      const counter = { name: 'counter', node: a.name };
      expect(await GenServer.call(counter, 'get')).toBe(5);
      expect(await GenServer.call(counter, { add: 3 })).toBe(8);
      GenServer.cast(counter, { add: 2 });
      expect(await GenServer.call(counter, 'later')).toEqual({ deferred: 10 });
    }));

  it('call errors say what happened: timeout, noproc, nodedown', () =>
    inProcess(async () => {
      await rpc.call(a.name, app, 'startCounterServer', ['slow', 0]);
      const timeout = await callError(GenServer.call({ name: 'slow', node: a.name }, 'ignore', 100));
      expect(timeout).toBeInstanceOf(CallError);
      expect(timeout?.reason).toBe('timeout');
      expect(timeout?.message).toMatch(/slow.*timeout/);
      // A late reply must not linger in the caller's mailbox.
      expect(Process.info(self())?.messages).toEqual([]);

      const noproc = await callError(GenServer.call({ name: 'nobody', node: a.name }, 'get'));
      expect(noproc?.reason).toBe('noproc');
      expect((await callError(GenServer.call('nobody-here', 'get')))?.reason).toBe('noproc');

      const nodedown = await callError(GenServer.call({ name: 'counter', node: ghost }, 'get'));
      expect(nodedown?.reason).toBe('nodedown');
      expect(nodedown?.message).toMatch(/nodedown/);
    }));

  it('an exception in the server reaches the caller as a readable error, and the server dies of it', () =>
    inProcess(async () => {
      const pid = await rpc.call<Pid>(a.name, app, 'startCounterServer', ['fragile', 1]);
      const ref = Process.monitor(pid);
      const crash = await callError(GenServer.call({ name: 'fragile', node: a.name }, 'crash'));
      expect(crash).toBeInstanceOf(CallError);
      expect(crash?.message).toMatch(/crashed.*counter exploded/);
      expect(((crash?.reason as { exit: Error }).exit as Error).message).toBe('counter exploded');
      const down = (await receive((m) => isDown(m) && sameRef(m.ref, ref), 5_000)) as { reason: Error };
      expect(down.reason.message).toBe('counter exploded');
      await waitFor(async () => expect(await rpc.call(a.name, app, 'whereisName', ['fragile'])).toBeUndefined());
    }));

  it('abcast reaches the named server on every connected node; multiCall returns replies per node and the bad nodes', () =>
    inProcess(async () => {
      await Promise.all([rpc.call(a.name, app, 'startCounterServer', ['tally', 0]), rpc.call(b.name, app, 'startCounterServer', ['tally', 100])]);
      await GenServer.start((await import('./fixtures/app.ts')).Counter, 1000, { name: 'tally' });
      expect(GenServer.abcast('tally', { add: 1 })).toBe('abcast');
      const { replies, badNodes } = await GenServer.multiCall<number>('tally', 'get');
      expect(Object.fromEntries(replies)).toEqual({ [a.name]: 1, [b.name]: 101, [Node.self()]: 1001 });
      expect(badNodes).toEqual([]);

      // A node without the server, and one that does not exist, are the bad nodes.
      await rpc.call(b.name, app, 'startCounterServer', ['only-on-b', 7]);
      const partial = await GenServer.multiCall<number>('only-on-b', 'get', [a.name, b.name, ghost], 5_000);
      expect(Object.fromEntries(partial.replies)).toEqual({ [b.name]: 7 });
      expect([...partial.badNodes].sort()).toEqual([a.name, ghost].sort());
    }));
});
