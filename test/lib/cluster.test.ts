// LocalCluster: child nodes as real OS processes, booting an application,
// meshed; stop, kill -9, restart; children die with their manager.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GenServer, NetKernel, Node, receive, rpc } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { tsEntryArgs } from '../../lib/childProcess.ts';
import { PING_PONG } from '../support/pingPong.ts';
import { fixture } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';
import { waitFor } from '../support/wait.ts';

afterAll(() => LocalCluster.stopNodes());

const mesh = fixture('mesh.ts');
const nodedown = (node: string) => (m: unknown) => (m as { type?: string; node?: string }).type === 'nodedown' && (m as { node: string }).node === node;
const nodeup = (node: string) => (m: unknown) => (m as { type?: string; node?: string }).type === 'nodeup' && (m as { node: string }).node === node;

/** Whether an OS process is gone (a zombie waiting for its reaper counts as gone). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('LocalCluster', () => {
  it('starts N nodes booting an application and returns their names once all are connected', () =>
    inProcess(async () => {
      const nodes = await LocalCluster.startNodes('ping-pong', 3, { boot: PING_PONG });
      const host = Node.self().split('@')[1];
      expect(nodes).toEqual([1, 2, 3].map((i) => `ping-pong${i}@${host}`));
      expect(Node.list()).toEqual(expect.arrayContaining(nodes));
      for (const node of nodes) {
        const others = [Node.self(), ...nodes.filter((n) => n !== node)];
        expect(await rpc.call<string[]>(node, mesh, 'list')).toEqual(expect.arrayContaining(others));
        // The application booted: its servers answer.
        expect(await GenServer.call({ name: 'producer', node }, 'count')).toBe(0);
      }
      await LocalCluster.stopNodes(nodes);
      expect(LocalCluster.nodes()).toEqual([]);
      await waitFor(() => expect(Node.list()).toEqual([]));
    }));

  it('stopNodes, kill -9 and restart of a killed node under the same name', () =>
    inProcess(async () => {
      NetKernel.monitorNodes(true);
      const [a, b, c] = (await LocalCluster.startNodes('life', 3, { boot: PING_PONG })) as [string, string, string];
      await LocalCluster.stopNodes([a]);
      await receive(nodedown(a), 5_000);
      const pid = LocalCluster.osPid(b) as number;
      await LocalCluster.kill(b);
      await receive(nodedown(b), 5_000);
      expect(gone(pid)).toBe(true);
      expect(LocalCluster.nodes()).toEqual([c]);
      await waitFor(async () => expect(await rpc.call<string[]>(c, mesh, 'list')).not.toContain(b));

      expect(await LocalCluster.restart(b)).toBe(b);
      await receive(nodeup(b), 5_000);
      expect(LocalCluster.osPid(b)).not.toBe(pid);
      expect(await rpc.call<string[]>(b, mesh, 'list')).toEqual(expect.arrayContaining([Node.self(), c]));
      expect(await GenServer.call({ name: 'producer', node: b }, 'ping')).toBe(1);
      await LocalCluster.stopNodes([b, c]);
      NetKernel.monitorNodes(false);
    }));

  it('a node that cannot boot its application fails startNodes with its log, and leaves nothing running', async () => {
    await expect(LocalCluster.startNodes('broken', 1, { boot: fixture('noSuchModule.ts') })).rejects.toThrow(/cannot boot .*noSuchModule/);
    expect(LocalCluster.nodes()).toEqual([]);
  });

  it('children die with their manager, also when it is killed with -9', async () => {
    const manager = execa(process.execPath, tsEntryArgs(fileURLToPath(fixture('orphanManager.ts'))), {
      env: { DISTSYS_EPMD_PORT: process.env.DISTSYS_EPMD_PORT as string },
      buffer: false,
      reject: false,
    });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      let err = '';
      manager.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      manager.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = /^(\[.*\])$/m.exec(out);
        if (line) resolve(JSON.parse(line[1] as string));
      });
      void manager.then((r) => reject(new Error(`the manager exited (${r.exitCode}) before starting its nodes: ${err}`)));
    });
    expect(pids).toHaveLength(2);
    expect(pids.every((p) => !gone(p))).toBe(true);
    manager.kill('SIGKILL');
    await manager;
    await waitFor(() => expect(pids.filter((p) => !gone(p))).toEqual([]));
  });
});
