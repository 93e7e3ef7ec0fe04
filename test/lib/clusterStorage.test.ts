// The harness's storage: started on demand, reachable from every node, and
// outside the mesh, so a partition never cuts a node off from it.
import { afterAll, describe, expect, it } from 'vitest';
import { Storage, rpc } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { fixture } from '../support/nodes.ts';

const store = fixture('store.ts');
afterAll(() => LocalCluster.stopNodes());

describe('storage in a cluster', () => {
  it('every node reaches the storage the harness started, also across a partition', async () => {
    const [a, b] = (await LocalCluster.startNodes('stored', 2, { storage: true })) as [string, string];
    const url = await LocalCluster.storage();
    expect(url).toMatch(/^http:\/\/distsys:[A-Za-z0-9_-]{16,}@127\.0\.0\.1:\d+$/);
    expect(process.env.DISTSYS_STORAGE_URL).toBe(url);
    expect(await rpc.call(a, store, 'setKey', ['from-a', 'hello'])).toBe(true);
    expect(await rpc.call(b, store, 'getKey', ['from-a'])).toBe('hello');

    await Schism.partition([a]);
    expect(await rpc.call(a, store, 'setKey', ['during', 'split'])).toBe(true);
    expect(await rpc.call(b, store, 'getKey', ['during'])).toBe('split');
    expect(await Storage.connect().get('during')).toBe('split');
    await Schism.heal([a]);

    // Acknowledged writes survive kill -9 of the storage and its restart, at the same address.
    const storage = await LocalCluster.storageProcess();
    await storage?.kill('SIGKILL');
    await storage?.restart();
    expect(await rpc.call(b, store, 'getKey', ['from-a'])).toBe('hello');
  });
});
