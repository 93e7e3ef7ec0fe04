// Erlang's local_cluster, for tests and demos: this process becomes the manager
// node and starts child nodes as real OS processes, each booting an application
// module, and hands back their names once they form a full mesh. Children die
// with the manager, even when it is killed with -9 (see spawnNode.ts).
import { Node } from '../node.ts';
import { hostOf } from '../nodeName.ts';
import { rpc } from '../rpc.ts';
import type { NodeName } from '../terms.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORAGE_URL_ENV } from '../storage/protocol.ts';
import { AGENT } from './agent.ts';
import { linkPolicy } from './linkPolicy.ts';
import { spawnNode, type SpawnedNode } from './spawnNode.ts';
import { startStorage, type StorageProcess } from './storageProcess.ts';

export interface StartNodesOptions {
  /** The application module each node boots (a path or file URL; its `start()` runs at boot). */
  boot?: string;
  /** Extra environment for the children. */
  env?: Record<string, string>;
  /** The children's tick time (Erlang's net_ticktime). */
  tickTimeMs?: number;
  /** How long the mesh may take to form. Default 20 s. */
  timeoutMs?: number;
  /** The nodes use the storage: start it first (unless DISTSYS_STORAGE_URL names one already). */
  storage?: boolean;
}

interface Member {
  readonly name: NodeName;
  readonly sname: string;
  readonly options: StartNodesOptions;
  process: SpawnedNode | undefined;
}

const members = new Map<NodeName, Member>();
let embeddedStorage: Promise<StorageProcess> | undefined;

function member(node: NodeName): Member {
  const found = members.get(node);
  if (!found) throw new Error(`${node} is not a node of this cluster (its nodes: ${[...members.keys()].join(', ') || 'none'})`);
  return found;
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`LocalCluster: ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

async function spawnMember(m: Member): Promise<void> {
  m.process = await spawnNode({
    sname: m.sname,
    cookie: Node.getCookie(),
    ...(m.options.boot !== undefined ? { boot: m.options.boot } : {}),
    ...(m.options.tickTimeMs !== undefined ? { tickTimeMs: m.options.tickTimeMs } : {}),
    env: { ...m.options.env },
  });
}

/** Connects the manager to `nodes` and waits until each of them sees every other live member it is allowed to. */
async function mesh(nodes: NodeName[], timeoutMs: number): Promise<void> {
  const connected = await Promise.all(nodes.map((node) => Node.connect(node)));
  const unreachable = nodes.filter((_, i) => !connected[i]);
  if (unreachable.length) throw new Error(`LocalCluster: the manager cannot connect to ${unreachable.join(', ')}`);
  await waitUntil('the nodes did not form a full mesh', timeoutMs, async () => {
    for (const node of nodes) {
      const blocked = new Set(await rpc.call<NodeName[]>(node, AGENT, 'blocked'));
      const sees = new Set(await rpc.call<NodeName[]>(node, AGENT, 'nodes'));
      for (const other of LocalCluster.nodes()) {
        if (other !== node && !blocked.has(other) && !sees.has(other)) {
          await rpc.call(node, AGENT, 'connect', [other]);
          return false;
        }
      }
    }
    return true;
  });
}

export const LocalCluster = {
  /** Makes this process the manager node (once); a no-op if it is a node already. Returns its name. */
  async start(options: { sname?: string; cookie?: string } = {}): Promise<NodeName> {
    if (Node.alive()) return Node.self();
    return Node.start({ sname: options.sname ?? 'manager' }, options.cookie !== undefined ? { cookie: options.cookie } : {});
  },

  /**
   * Starts `count` nodes named `<prefix>1` … `<prefix>N` on this host, booting `options.boot`,
   * and resolves with their names once every node is connected to every other.
   */
  async startNodes(prefix: string, count: number, options: StartNodesOptions = {}): Promise<NodeName[]> {
    if (!Node.alive()) await LocalCluster.start();
    if (options.storage) await LocalCluster.storage();
    const host = hostOf(Node.self());
    const fresh: Member[] = [];
    for (let i = 1; i <= count; i++) {
      const sname = `${prefix}${i}`;
      const name = `${sname}@${host}`;
      if (members.get(name)?.process) throw new Error(`LocalCluster: ${name} is already running`);
      const m: Member = { name, sname, options, process: undefined };
      members.set(name, m);
      fresh.push(m);
    }
    const started = await Promise.allSettled(fresh.map(spawnMember));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await LocalCluster.stopNodes(fresh.filter((m) => m.process).map((m) => m.name));
      for (const m of fresh) members.delete(m.name);
      throw failed.reason;
    }
    const names = fresh.map((m) => m.name);
    await joinTrace(names);
    await mesh(names, options.timeoutMs ?? 20_000);
    return names;
  },

  /** Stops nodes cleanly (their peers see nodedown) and forgets them. */
  async stopNodes(nodes: NodeName[] = [...members.keys()]): Promise<void> {
    await Promise.all(
      nodes.map(async (node) => {
        const m = members.get(node);
        members.delete(node);
        await m?.process?.stop();
      }),
    );
  },

  /** Kills a node abruptly (kill -9); it stays a member, so `restart` can bring it back. */
  async kill(node: NodeName): Promise<void> {
    const m = member(node);
    const p = m.process;
    m.process = undefined;
    await p?.kill('SIGKILL');
  },

  /** Starts a killed or stopped member again, under the same name and application, and meshes it. */
  async restart(node: NodeName, timeoutMs = 20_000): Promise<NodeName> {
    const m = member(node);
    if (m.process) await LocalCluster.kill(node);
    await spawnMember(m);
    await joinTrace([node]);
    await mesh([node], timeoutMs);
    return node;
  },

  /**
   * The storage's URL. Without DISTSYS_STORAGE_URL (an instructor's shared store, say), the
   * harness starts one of its own, outside the node mesh, journaled in a temporary folder, and
   * sets DISTSYS_STORAGE_URL so that the nodes it starts afterwards find it.
   */
  async storage(): Promise<string> {
    const given = process.env[STORAGE_URL_ENV];
    if (given && !embeddedStorage) return given;
    embeddedStorage ??= (async () => {
      // The storage removes its directory when it stops, which it does when this process goes
      // (its IPC channel closes), however this process ends.
      const dir = mkdtempSync(join(tmpdir(), 'distsys-storage-'));
      const store = await startStorage({ dir, temporary: true });
      process.env[STORAGE_URL_ENV] = store.url;
      return store;
    })();
    return (await embeddedStorage).url;
  },

  /** The storage process the harness started (for tests that kill and restart it); undefined if it uses another. */
  async storageProcess(): Promise<StorageProcess | undefined> {
    return embeddedStorage;
  },

  /** The members that are running now. */
  nodes(): NodeName[] {
    return [...members.values()].filter((m) => m.process).map((m) => m.name);
  },

  /** A member's OS process id. */
  osPid(node: NodeName): number | undefined {
    return members.get(node)?.process?.pid;
  },

  /** What a member wrote on stderr (its log) so far. */
  log(node: NodeName): string {
    return member(node).process?.log() ?? '';
  },
};

/**
 * A node started (or restarted) while a trace is being recorded records too: otherwise what it
 * received and sent would be missing from the trace, and its page would show the messages sent to
 * it as never arrived.
 */
async function joinTrace(nodes: NodeName[]): Promise<void> {
  if (!linkPolicy.tracing()) return;
  await Promise.all(nodes.map((node) => rpc.call(node, AGENT, 'startTrace')));
}
