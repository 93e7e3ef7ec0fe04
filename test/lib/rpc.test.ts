// rpc.call: run a function on another node and get its result, its error, or nodedown.
import { beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { Node, RpcError, rpc } from '../../lib/index.ts';
import { fixture, startChild, startManager } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';

const app = fixture('app.ts');
let other: Awaited<ReturnType<typeof startChild>>;

beforeAll(async () => {
  await startManager();
  other = await startChild('rpc');
});

const rpcError = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RpcError);

describe('rpc.call', () => {
  it('runs a function on the remote node and returns its result (connecting on the way)', () =>
    inProcess(async () => {
      expect(await rpc.call(other.name, app, 'add', [2, 3])).toBe(5);
      expect(await rpc.call(other.name, app, 'nodeName')).toBe(other.name);
      expect(Node.list()).toContain(other.name);
      expect(await rpc.call(other.name, 'node:os', 'hostname')).toBe(hostname());
      // Several calls at once from one process.
      expect(await Promise.all([1, 2, 3].map((n) => rpc.call(other.name, app, 'add', [n, n])))).toEqual([2, 4, 6]);
    }));

  it('an error thrown remotely comes back as RpcError raised, with the remote message', () =>
    inProcess(async () => {
      const err = await rpcError(rpc.call(other.name, app, 'fail', ['no luck']));
      expect(err).toBeInstanceOf(RpcError);
      expect(err?.reason).toBe('raised');
      expect(err?.message).toMatch(/raised Error: no luck/);
      expect((err?.cause as Error).message).toBe('no luck');
      const missing = await rpcError(rpc.call(other.name, app, 'noSuchFunction'));
      expect(missing?.message).toMatch(/has no exported function noSuchFunction/);
    }));

  it('a node that is down or does not exist gives nodedown; a relative module is refused', () =>
    inProcess(async () => {
      const err = await rpcError(rpc.call(`nobody${process.pid}@${hostname().split('.')[0]}`, app, 'add', [1, 2]));
      expect(err?.reason).toBe('nodedown');
      const doomed = await startChild('rpcdoomed');
      expect(await rpc.call(doomed.name, app, 'add', [1, 1])).toBe(2);
      await doomed.kill('SIGKILL');
      expect((await rpcError(rpc.call(doomed.name, app, 'add', [1, 2])))?.reason).toBe('nodedown');
      await expect(rpc.call(other.name, './fixtures/app.ts', 'add', [1, 2])).rejects.toThrow(/relative module/);
    }));
});
