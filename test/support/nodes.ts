// Helpers for library tests: this test file's own node, and child nodes with
// names no other test file uses, stopped after each file.
import { afterAll } from 'vitest';
import { Node } from '../../lib/index.ts';
import { spawnNode, type SpawnNodeOptions, type SpawnedNode } from '../../lib/cluster/spawnNode.ts';

let counter = 0;
/** A node name unique to this test process. */
export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid}x${counter++}`;
}

const started: SpawnedNode[] = [];
afterAll(async () => {
  await Promise.all(started.map((n) => n.kill('SIGKILL').catch(() => {})));
  await Node.stop();
});

export const COOKIE = 'test-cookie';

/** Makes this test process a node (the manager) with the test cookie. */
export function startManager(options: Parameters<typeof Node.start>[1] = {}): Promise<string> {
  return Node.start({ sname: uniqueName('manager') }, { cookie: COOKIE, ...options });
}

/** Starts a child node as its own OS process; it is killed after the file. */
export async function startChild(prefix: string, options: Omit<SpawnNodeOptions, 'sname'> = {}): Promise<SpawnedNode> {
  const node = await spawnNode({ sname: uniqueName(prefix), cookie: COOKIE, ...options });
  started.push(node);
  return node;
}

/** The file URL of a fixture module, for `--boot` and `rpc.call`. */
export function fixture(name: string): string {
  return new URL(`../lib/fixtures/${name}`, import.meta.url).href;
}
