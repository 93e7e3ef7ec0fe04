// Nodes are separate OS processes with names; ping, connect, and the full mesh.
import { beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { Node, NetKernel, receive, rpc } from '../../lib/index.ts';
import { startChild, startManager, uniqueName } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';
import { waitFor } from '../support/wait.ts';

// Each test stands on its own (any one can run alone with -t): the file's node starts here.
let me: string;
let atStart: string[];
beforeAll(async () => {
  me = await startManager();
  atStart = Node.list();
});

describe('nodes', () => {
  it('a node started with --sname is name@short-hostname, and starts with no connections', () => {
    expect(me).toBe(`${me.split('@')[0]}@${hostname().split('.')[0]}`);
    expect(Node.self()).toBe(me);
    expect(atStart).toEqual([]);
  });

  it('a node started with --name keeps its full name', async () => {
    const child = await startChild('longname', {});
    expect(child.name).toMatch(/@/);
    const long = await (await import('../../lib/cluster/spawnNode.ts')).spawnNode({ name: `${uniqueName('full')}@127.0.0.1`, cookie: 'test-cookie' });
    try {
      expect(long.name).toMatch(/^full\d+x\d+@127\.0\.0\.1$/);
      expect(await Node.ping(long.name)).toBe('pong');
    } finally {
      await long.kill();
    }
  });

  it('ping answers pong for a live node and pang, promptly, for a name nobody holds', async () => {
    const b = await startChild('pingme');
    expect(await Node.ping(b.name)).toBe('pong');
    const started = Date.now();
    expect(await Node.ping(`nobody${process.pid}@${hostname().split('.')[0]}`)).toBe('pang');
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(await Node.ping('nobody@no-such-host.invalid')).toBe('pang');
  });

  it('connect returns true and both nodes list each other', async () => {
    const b = await startChild('conn');
    expect(await Node.connect(b.name)).toBe(true);
    expect(Node.list()).toContain(b.name);
    const theirs = await rpc.call<string[]>(b.name, new URL('./fixtures/mesh.ts', import.meta.url).href, 'list');
    expect(theirs).toContain(Node.self());
  });

  it('a node that connects to one member ends up connected to all of them (full mesh)', () => inProcess(async () => {
    const [x, y, z] = await Promise.all([startChild('meshx'), startChild('meshy'), startChild('meshz')]);
    NetKernel.monitorNodes(true);
    // x knows y; z knows x; we know z. Everyone must see everyone.
    const mesh = new URL('./fixtures/mesh.ts', import.meta.url).href;
    expect(await rpc.call(x.name, mesh, 'connect', [y.name])).toBe(true);
    expect(await rpc.call(z.name, mesh, 'connect', [x.name])).toBe(true);
    expect(await Node.connect(z.name)).toBe(true);
    await waitFor(() => expect(Node.list()).toEqual(expect.arrayContaining([x.name, y.name, z.name])));
    const everyone = [x.name, y.name, z.name, Node.self()];
    for (const n of [x, y, z]) {
      const others = everyone.filter((m) => m !== n.name);
      await waitFor(async () => expect(await rpc.call<string[]>(n.name, mesh, 'list')).toEqual(expect.arrayContaining(others)));
    }
    // This node met x and y only through z: nodeup says so for each of them.
    for (const n of [x, y, z]) {
      expect(await receive((m) => (m as { type?: string; node?: string }).type === 'nodeup' && (m as { node: string }).node === n.name, 5_000)).toEqual({ type: 'nodeup', node: n.name });
    }
    NetKernel.monitorNodes(false);
  }));

  it('bad node names are refused with a clear error', async () => {
    await expect(Node.connect('no-at-sign')).rejects.toThrow(/name@host/);
    await expect(Node.ping('two@at@signs')).rejects.toThrow(/invalid node name/);
  });
});
