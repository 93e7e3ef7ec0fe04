// Elixir's `Node` module: start and stop distribution, name, cookie, and the
// connections of this node (`list`, `ping`, `connect`, `disconnect`).
import { z } from 'zod';
import { erlangCookiePath, handedCookie, readDefaultCookie } from './cookie.ts';
import { epmdPortFromEnv } from './epmd/protocol.ts';
import { currentKernel, setCurrentKernel } from './distribution/current.ts';
import { Kernel } from './distribution/netKernel.ts';
import { startRex, stopRex } from './rpc.ts';
import { localNode } from './localNode.ts';
import { exposedAddressesFor, fromLongName, fromShortName, listenAddressFor, parseNodeName } from './nodeName.ts';
import type { NodeName } from './terms.ts';

export interface StartOptions {
  /** The cookie; by default the one handed in DISTSYS_COOKIE, else the one in `~/.distsys.cookie` (created if missing). */
  cookie?: string;
  /** How long a silent peer is tolerated before it is declared down (Erlang's net_ticktime). Default 60 s or DISTSYS_TICK_MS. */
  tickTimeMs?: number;
  /** How long a connection may take to set up (Erlang's net_setuptime). Default 7 s. */
  setupTimeMs?: number;
  /** The port mapper's port; default DISTSYS_EPMD_PORT or 4371. */
  epmdPort?: number;
  /** The largest frame (message batch) an authenticated peer may send; a bigger one closes its connection. Default 64 MiB. */
  maxFrameBytes?: number;
  /**
   * The protocol the node speaks with every peer: 'kit', the kit's own (the default), or
   * 'erlang', Erlang's distribution, so `erl` and `iex` nodes can join (README, "Joining a real
   * Erlang/Elixir cluster"). In Erlang mode the port mapper is EPMD (port 4369, or ERL_EPMD_PORT,
   * or `epmdPort`) and the cookie without one is `~/.erlang.cookie`'s.
   */
  dist?: 'kit' | 'erlang';
}

const startOptions = z.object({
  cookie: z.string().min(1, 'a cookie cannot be empty').max(255).optional(),
  tickTimeMs: z.number().int().min(40).optional(),
  setupTimeMs: z.number().int().min(50).optional(),
  epmdPort: z.number().int().min(1).max(65535).optional(),
  maxFrameBytes: z.number().int().min(1024).optional(),
  dist: z.enum(['kit', 'erlang'], { error: "dist is 'kit' (the kit's own protocol) or 'erlang' (Erlang's distribution)" }).optional(),
});

const envMs = (key: string, fallback: number): number => {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return fallback;
  const parsed = z.coerce.number().int().min(1).safeParse(raw);
  if (!parsed.success) throw new Error(`${key}=${raw} is not a number of milliseconds`);
  return parsed.data;
};

function running(what: string): Kernel {
  const kernel = currentKernel();
  if (!kernel) throw new Error(`${what}: this node is not alive; start it with Node.start({ sname: 'name' })`);
  return kernel;
}

export const Node = {
  /** Turns this OS process into a node: `{ sname: 'chris' }` or `{ name: 'chris@127.0.0.1' }`. Returns its full name. */
  async start(id: { sname: string } | { name: string }, options: StartOptions = {}): Promise<NodeName> {
    if (currentKernel()) throw new Error(`Node.start: this process is already the node ${localNode.name}`);
    const fromParent = handedCookie();
    const opts = startOptions.parse({ ...options, cookie: options.cookie ?? fromParent });
    const parsed = 'sname' in id ? fromShortName(id.sname) : fromLongName(id.name);
    const dist = opts.dist ?? 'kit';
    const erlang = dist === 'erlang' ? await import('./erlang/node.ts') : undefined;
    const started = await Kernel.start({
      name: parsed.full,
      dist,
      listenAddress: listenAddressFor(parsed.host),
      exposed: exposedAddressesFor(parsed.host),
      cookie: opts.cookie ?? readDefaultCookie(erlang ? erlangCookiePath() : undefined),
      epmdPort: opts.epmdPort ?? (erlang ? erlang.erlangEpmdPort() : epmdPortFromEnv()),
      tickTimeMs: opts.tickTimeMs ?? envMs('DISTSYS_TICK_MS', 60_000),
      setupTimeMs: opts.setupTimeMs ?? envMs('DISTSYS_SETUP_MS', 7_000),
      maxFrameBytes: opts.maxFrameBytes ?? 64 * 1024 * 1024,
    });
    setCurrentKernel(started);
    // Every node answers rpc through its rex server, as every Erlang node does.
    await startRex();
    // A node in Erlang mode also answers what Erlang asks of another node's net_kernel (ping).
    if (erlang) await erlang.startNetKernel();
    return parsed.full;
  },

  /** Leaves the cluster: peers see `nodedown`; local processes live on, as on a non-distributed node. */
  async stop(): Promise<void> {
    const k = currentKernel();
    if (!k) return;
    stopRex();
    if (k.protocol === 'erlang') (await import('./erlang/node.ts')).stopNetKernel();
    setCurrentKernel(undefined);
    await k.stop();
  },

  /** This node's name (`nonode@nohost` before `Node.start`). */
  self(): NodeName {
    return localNode.name;
  },

  alive(): boolean {
    return currentKernel() !== undefined;
  },

  /** The nodes this one is connected to. */
  list(): NodeName[] {
    return currentKernel()?.nodes() ?? [];
  },

  /** 'pong' if `node` answers (connecting to it), 'pang' if it cannot be reached. */
  async ping(node: NodeName): Promise<'pong' | 'pang'> {
    parseNodeName(node);
    return (await running('Node.ping').connect(node)) ? 'pong' : 'pang';
  },

  /** Connects to `node` (and, transitively, to every node it knows): true, or false if it cannot. */
  async connect(node: NodeName): Promise<boolean> {
    parseNodeName(node);
    return running('Node.connect').connect(node);
  },

  /** Closes the connection to `node`; false if there was none. */
  disconnect(node: NodeName): boolean {
    parseNodeName(node);
    return running('Node.disconnect').disconnect(node);
  },

  /** Sets this node's cookie for the connections it makes or accepts from now on. */
  setCookie(cookie: string): true {
    const parsed = z.string().min(1).max(255).safeParse(cookie);
    if (!parsed.success) throw new Error('Node.setCookie: a cookie is a non-empty string of at most 255 characters');
    running('Node.setCookie').setCookie(parsed.data);
    return true;
  },

  getCookie(): string {
    return running('Node.getCookie').getCookie();
  },
};
