// The nodes of a demo, and how the live view reaches them. Two kinds:
// - terminals: lone nodes, as if each ran in a terminal of its own, steered
//   over their IPC channel (puppet.ts) so the demo never joins them together
//   (`dist: 'erlang'`: they speak Erlang's distribution, as `--dist erlang`);
// - a LocalCluster: nodes meshed from the start, booting a stage's application,
//   reached through rpc like in the stage tests.
// The demo started them all, so the view may kill -9 and restart any of them.
// Beside them, a demo may start real Erlang nodes (erlangNode.ts), which the view
// does not look into; they stop with the demo, and so does the EPMD its nodes in
// Erlang mode started (never one that was running before the demo).
import { Node, type NodeName } from '../../lib/index.ts';
import { LocalCluster, spawnNode, type SpawnedNode, type StartNodesOptions } from '../../lib/cluster/index.ts';
import { AGENT, epmdAnswers, erlangEpmdPort, killEpmd, listNames } from '../../lib/internal.ts';
import { ErlangNode } from './erlangNode.ts';
import { overRpc, LOOK_TIMEOUT_MS, type AgentFunction, type ClusterAccess, type Lifecycle, type Member } from '../view/clusterAccess.ts';
import { VIEW_AGENT, type Look } from '../view/nodeAgent.ts';

const PUPPET = new URL('./puppet.ts', import.meta.url).href;
/** The library, for a terminal's calls such as `Node.list`. */
export const LIBRARY = new URL('../../lib/index.ts', import.meta.url).href;

/** What a call on a terminal returned: JSON when it is plain data, else the text the shell would print. */
export type Returned = { json: unknown } | { printed: string };

/** How a terminal node starts: its cookie (the demo's by default), and the protocol it speaks. */
export interface TerminalOptions {
  readonly cookie?: string;
  readonly dist?: 'kit' | 'erlang';
}

export class Terminal {
  readonly name: NodeName;
  readonly sname: string;
  readonly options: TerminalOptions;
  private node: SpawnedNode | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Returned) => void; reject: (e: Error) => void }>();

  constructor(node: SpawnedNode, sname: string, options: TerminalOptions) {
    this.name = node.name;
    this.sname = sname;
    this.options = options;
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
    this.attach(await startTerminalNode(this.sname, this.options));
  }
}

function startTerminalNode(sname: string, options: TerminalOptions): Promise<SpawnedNode> {
  return spawnNode({ sname, cookie: options.cookie ?? Node.getCookie(), boot: PUPPET, ...(options.dist ? { dist: options.dist } : {}) });
}

export class DemoCluster implements ClusterAccess {
  readonly observer: NodeName = Node.self();
  private readonly terminals = new Map<NodeName, Terminal>();
  private readonly meshed = new Set<NodeName>();
  private readonly erlangNodes: ErlangNode[] = [];
  /** Whether an EPMD answered before the demo's first node in Erlang mode (then it is not the demo's to stop). */
  private epmdWasRunning: boolean | undefined;
  readonly lifecycle: Lifecycle = {
    owns: (node) => this.terminals.has(node) || this.meshed.has(node),
    kill: (node) => this.terminals.get(node)?.kill() ?? LocalCluster.kill(node),
    restart: async (node) => {
      const terminal = this.terminals.get(node);
      if (terminal) await terminal.restart();
      else await LocalCluster.restart(node);
    },
  };

  /** A lone node, as if started in a terminal of its own (`npx distsys shell --sname NAME`, with `--dist erlang` for dist 'erlang'). */
  async terminal(sname: string, options: TerminalOptions = {}): Promise<Terminal> {
    if (options.dist === 'erlang') this.epmdWasRunning ??= await epmdAnswers({ host: '127.0.0.1', port: erlangEpmdPort() });
    const terminal = new Terminal(await startTerminalNode(sname, options), sname, options);
    this.terminals.set(terminal.name, terminal);
    return terminal;
  }

  /** A real Erlang node (`erl -sname NAME`) with the demo's cookie, on the EPMD of the demo's nodes in Erlang mode: start one of those first. */
  async erlang(sname: string): Promise<ErlangNode> {
    const node = await ErlangNode.start(sname, Node.getCookie());
    this.erlangNodes.push(node);
    return node;
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
    await Promise.allSettled([...this.terminals.values(), ...this.erlangNodes].map((t) => t.kill()));
    await LocalCluster.stopNodes();
    await (await LocalCluster.storageProcess())?.stop();
    if (this.epmdWasRunning === false) {
      // The EPMD the demo's nodes in Erlang mode started: stopped once nobody is registered with it.
      // (Nodes killed a moment ago leave it as their sockets close: a short, bounded wait.)
      const at = { host: '127.0.0.1', port: erlangEpmdPort() };
      for (const deadline = Date.now() + 2_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        const names = await listNames(at).catch(() => undefined);
        if (!names) break;
        if (names.names.length === 0) {
          await killEpmd(at).catch(() => undefined);
          break;
        }
      }
    }
  }
}
