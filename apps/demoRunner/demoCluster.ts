// The nodes of a demo, and how the live view reaches them. Two kinds:
// - terminals: lone nodes, as if each ran in a terminal of its own, steered
//   over their IPC channel (puppet.ts) so the demo never joins them together;
// - a LocalCluster: nodes meshed from the start, booting a stage's application,
//   reached through rpc like in the stage tests.
// The demo started them all, so the view may kill -9 and restart any of them.
import { Node, type NodeName } from '../../lib/index.ts';
import { LocalCluster, spawnNode, type SpawnedNode, type StartNodesOptions } from '../../lib/cluster/index.ts';
import { AGENT } from '../../lib/internal.ts';
import { overRpc, LOOK_TIMEOUT_MS, type AgentFunction, type ClusterAccess, type Lifecycle, type Member } from '../view/clusterAccess.ts';
import { VIEW_AGENT, type Look } from '../view/nodeAgent.ts';

const PUPPET = new URL('./puppet.ts', import.meta.url).href;
/** The library, for a terminal's calls such as `Node.list`. */
export const LIBRARY = new URL('../../lib/index.ts', import.meta.url).href;

/** What a call on a terminal returned: JSON when it is plain data, else the text the shell would print. */
export type Returned = { json: unknown } | { printed: string };

export class Terminal {
  readonly name: NodeName;
  readonly sname: string;
  readonly cookie: string | undefined;
  private node: SpawnedNode | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Returned) => void; reject: (e: Error) => void }>();

  constructor(node: SpawnedNode, sname: string, cookie: string | undefined) {
    this.name = node.name;
    this.sname = sname;
    this.cookie = cookie;
    this.attach(node);
  }

  get running(): boolean {
    return this.node !== undefined;
  }

  private attach(node: SpawnedNode): void {
    this.node = node;
    node.onMessage((m) => {
      const reply = m as { id: number; ok: boolean; value?: Returned; error?: string };
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.value as Returned);
      else waiter?.reject(new Error(reply.error));
    });
    void node.exited.then(() => {
      if (this.node !== node) return;
      this.node = undefined;
      for (const w of this.pending.values()) w.reject(new Error(`${this.name} is down`));
      this.pending.clear();
    });
  }

  /** Runs `fun(...args)` exported by `module` on this node. */
  call(module: string, fun: string, args: unknown[] = [], timeoutMs = 15_000): Promise<Returned> {
    const node = this.node;
    if (!node) return Promise.reject(new Error(`${this.name} is down`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name} did not answer ${fun} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      node.send({ id, module, fun, args });
    });
  }

  /** Like `call`, for plain data results. */
  async value<T>(module: string, fun: string, args: unknown[] = []): Promise<T> {
    const r = await this.call(module, fun, args);
    if (!('json' in r)) throw new Error(`${fun} on ${this.name} returned ${r.printed}, not plain data`);
    return r.json as T;
  }

  async kill(): Promise<void> {
    await this.node?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.node?.stop();
  }

  async restart(): Promise<void> {
    if (this.node) await this.kill();
    this.attach(await startTerminalNode(this.sname, this.cookie));
  }
}

function startTerminalNode(sname: string, cookie: string | undefined): Promise<SpawnedNode> {
  return spawnNode({ sname, cookie: cookie ?? Node.getCookie(), boot: PUPPET });
}

export class DemoCluster implements ClusterAccess {
  readonly observer: NodeName = Node.self();
  private readonly terminals = new Map<NodeName, Terminal>();
  private readonly meshed = new Set<NodeName>();
  readonly lifecycle: Lifecycle = {
    owns: (node) => this.terminals.has(node) || this.meshed.has(node),
    kill: (node) => this.terminals.get(node)?.kill() ?? LocalCluster.kill(node),
    restart: async (node) => {
      const terminal = this.terminals.get(node);
      if (terminal) await terminal.restart();
      else await LocalCluster.restart(node);
    },
  };

  /** A lone node, as if started in a terminal of its own (`npx distsys shell --sname NAME`). */
  async terminal(sname: string, options: { cookie?: string } = {}): Promise<Terminal> {
    const terminal = new Terminal(await startTerminalNode(sname, options.cookie), sname, options.cookie);
    this.terminals.set(terminal.name, terminal);
    return terminal;
  }

  /** `count` nodes meshed from the start, booting `options.boot` (LocalCluster.startNodes). */
  async startNodes(prefix: string, count: number, options: StartNodesOptions = {}): Promise<NodeName[]> {
    const nodes = await LocalCluster.startNodes(prefix, count, options);
    for (const node of nodes) this.meshed.add(node);
    return nodes;
  }

  async members(): Promise<Member[]> {
    const running = new Set(LocalCluster.nodes());
    return [
      ...[...this.terminals.values()].map((t) => ({ name: t.name, running: t.running })),
      ...[...this.meshed].map((name) => ({ name, running: running.has(name) })),
    ];
  }

  async look(node: NodeName): Promise<Look> {
    const terminal = this.terminals.get(node);
    if (!terminal) return overRpc.look(node);
    const r = await terminal.call(VIEW_AGENT, 'look', [this.observer], LOOK_TIMEOUT_MS);
    return (r as { json: Look }).json;
  }

  async agent(node: NodeName, fun: AgentFunction, args: unknown[]): Promise<unknown> {
    const terminal = this.terminals.get(node);
    if (!terminal) return overRpc.agent(node, fun, args);
    return ((await terminal.call(AGENT, fun, args)) as { json: unknown }).json;
  }

  async release(): Promise<void> {
    await overRpc.release(LocalCluster.nodes());
  }

  /** Stops every node of the demo. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.terminals.values()].map((t) => t.kill()));
    await LocalCluster.stopNodes();
    await (await LocalCluster.storageProcess())?.stop();
  }
}
