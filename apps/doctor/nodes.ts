// The doctor's live checks, on real nodes: this process and a child node find
// each other through the port mapper, connect and exchange a message (the
// original workshop's setup check); and a child node named for this machine's
// address on the network answers there, as it must for a neighbour.
//
// They use a port mapper of their own on a free port, not the real one (4371):
// so they neither disturb nor depend on nodes an attendee has running, and a
// port held by another program (checked on its own) does not hide whether
// nodes work. Everything they start is stopped before they return, the port
// mapper included.
import { randomBytes } from 'node:crypto';
import { addLogHandler, Node, receive, self, send } from '../../lib/index.ts';
import { spawnNode, type SpawnedNode } from '../../lib/cluster/index.ts';
import { aliveOf, EpmdClient, epmdPortFromEnv, pickPortMapperPort } from '../../lib/internal.ts';
import { roomAddresses, type RoomAddress } from './addresses.ts';
import { reason, startFailure, type CheckResult } from './check.ts';
import { ECHO, type EchoReply, type EchoRequest } from './echo.ts';

const ECHO_MODULE = new URL('./echo.ts', import.meta.url).href;
const READY_MS = 20_000;
const ANSWER_MS = 5_000;
const GONE_MS = 3_000;

export interface NodesReport {
  /** Two nodes on this machine: started, registered, connected, a message each way. */
  readonly twoNodes: CheckResult;
  /** This machine's addresses, whether a node named for one answers there, and what a neighbour runs. */
  readonly network: CheckResult;
}

export interface NodesOptions {
  /** In a container (DISTSYS_IN_CONTAINER): other laptops cannot reach the nodes, so none is named for an address. */
  readonly inContainer?: boolean;
  /** The addresses to consider (default: this machine's). */
  readonly addresses?: RoomAddress[];
}


/** Sends a greeting to `node`'s echo process and waits for the answer. */
async function exchange(node: string): Promise<EchoReply> {
  const text = `hello from ${Node.self()}`;
  send({ name: ECHO, node }, { type: 'echo', from: self(), text } satisfies EchoRequest);
  const isReply = (m: unknown): m is EchoReply =>
    typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'echoed' && (m as EchoReply).node === node;
  try {
    return await receive(isReply, ANSWER_MS);
  } catch {
    throw new Error(`${node} did not answer a message within ${ANSWER_MS} ms`);
  }
}

/** Stops the port mapper on `port` and waits, with a bound, until nothing listens there. */
async function stopPortMapper(port: number): Promise<void> {
  await EpmdClient.ask(port, '127.0.0.1', (c) => c.kill()).catch(() => {});
  const deadline = Date.now() + GONE_MS;
  while (Date.now() < deadline) {
    const up = await EpmdClient.connect(port).then(
      (c) => (c.close(), true),
      () => false,
    );
    if (!up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const FIREWALL = 'A firewall or security program may block connections between programs on this machine: allow Node.js.';

export async function checkNodes(options: NodesOptions = {}): Promise<NodesReport> {
  const epmdPort = await pickPortMapperPort();
  const cookie = randomBytes(16).toString('hex');
  const tag = `doctor${process.pid}`;
  const addresses = options.addresses ?? roomAddresses();
  const target = options.inContainer ? undefined : addresses[0];
  const logs: string[] = [];
  const removeHandler = addLogHandler((e) => {
    if (e.level === 'warning' || e.level === 'error') logs.push(e.message);
  });
  const spawnEcho = (id: { sname: string } | { name: string }) =>
    spawnNode({ ...id, cookie, boot: ECHO_MODULE, env: { DISTSYS_EPMD_PORT: String(epmdPort) }, readyTimeoutMs: READY_MS });

  const began = performance.now();
  const b = spawnEcho({ sname: `${tag}-b` }).then((node) => ({ node, ms: Math.round(performance.now() - began) }));
  const c = target ? spawnEcho({ name: `${tag}-c@${target.address}` }) : undefined;
  // Settled below, whatever happens first; a rejection is read there.
  b.catch(() => {});
  c?.catch(() => {});
  try {
    let local: string | undefined;
    let localError: unknown;
    try {
      local = await Node.start({ sname: `${tag}-a` }, { cookie, epmdPort });
    } catch (err) {
      localError = err;
    }
    const twoNodes = local === undefined ? failedToStart(localError) : await checkTwoNodes(local, b, epmdPort, logs);
    const network = await checkNetwork({ local, target, addresses, started: c, inContainer: options.inContainer ?? false, logs });
    return { twoNodes, network };
  } finally {
    removeHandler();
    await Node.stop();
    const children = await Promise.allSettled([b.then((x) => x.node), ...(c ? [c] : [])]);
    await Promise.all(children.map((r) => (r.status === 'fulfilled' ? r.value.stop().catch(() => {}) : undefined)));
    await stopPortMapper(epmdPort);
  }
}

function failedToStart(err: unknown): CheckResult {
  return {
    status: 'fail',
    summary: `this process could not become a node: ${reason(err)}`,
    details: ['Run npx distsys shell --sname test to see what it says.', FIREWALL],
  };
}

async function checkTwoNodes(local: string, started: Promise<{ node: SpawnedNode; ms: number }>, epmdPort: number, logs: string[]): Promise<CheckResult> {
  let peer: { node: SpawnedNode; ms: number };
  try {
    peer = await started;
  } catch (err) {
    return {
      status: 'fail',
      summary: `a node did not start: ${startFailure(err)}`,
      details: [
        'Run npx distsys node --sname test to see what it says; run npm install again if a module is missing.',
        'A security program that holds new programs back can make a node slow to start: allow Node.js.',
      ],
    };
  }
  const remote = peer.node.name;
  try {
    const names = (await EpmdClient.ask(epmdPort, '127.0.0.1', (client) => client.names())).map((n) => n.name);
    const missing = [local, remote].map(aliveOf).filter((n) => !names.includes(n));
    if (missing.length > 0) throw new Error(`it does not know ${missing.join(', ')}`);
  } catch (err) {
    return { status: 'fail', summary: `both nodes started, but the port mapper cannot say where they are: ${reason(err)}`, details: [FIREWALL] };
  }
  if (!(await Node.connect(remote))) {
    return {
      status: 'fail',
      summary: `both nodes started and the port mapper knows them, but ${local} cannot connect to ${remote}`,
      details: [...logs.slice(-3).map((l) => `the node said: ${l}`), FIREWALL],
    };
  }
  let reply: EchoReply;
  try {
    reply = await exchange(remote);
  } catch (err) {
    return { status: 'fail', summary: `the nodes connected, but no message came back: ${reason(err)}`, details: [...logs.slice(-3).map((l) => `the node said: ${l}`), FIREWALL] };
  }
  return {
    status: 'ok',
    summary: `two nodes (this one and a child started in ${peer.ms} ms) found each other through the port mapper, connected and exchanged a message`,
    details: [`on ${remote}, Node.list() shows ${JSON.stringify(reply.sees)}`],
  };
}

interface NetworkContext {
  readonly local: string | undefined;
  readonly target: RoomAddress | undefined;
  readonly addresses: RoomAddress[];
  readonly started: Promise<SpawnedNode> | undefined;
  readonly inContainer: boolean;
  readonly logs: string[];
}

const WHEN_IT_FAILS = [
  'If it says false (or Node.ping says pang), their console says why. Check, in this order:',
  '  - the firewall: let Node.js accept incoming connections (macOS asks the first time a node is named',
  '    for an address: choose Allow; Windows: allow node.exe on private networks);',
  '  - a VPN: disconnect it for the workshop, unless the whole room is on the same one;',
  '  - the Wi-Fi: guest and conference networks often keep devices apart (client isolation);',
  "    a phone's hotspot shared by both laptops is a good way around it.",
];

/** The port mapper's port when DISTSYS_EPMD_PORT is not set. */
const DEFAULT_EPMD_PORT = epmdPortFromEnv({});

/**
 * What a neighbour runs to connect to a node at `address`. A port mapper moved off
 * its default port (DISTSYS_EPMD_PORT) must be moved on every laptop of the
 * cluster, since a node looks its peers up on its own port: the commands carry it.
 */
export function neighbourSteps(address: string, epmdPort: number = configuredEpmdPort()): string[] {
  const shell = `npx distsys shell --name you@${address} --cookie workshop`;
  const moved = epmdPort !== DEFAULT_EPMD_PORT;
  return [
    `For a neighbour to connect to you, start your node named for that address${moved ? ` (on your port mapper's port, ${epmdPort}, as DISTSYS_EPMD_PORT says)` : ''}:`,
    ...(moved ? [`    DISTSYS_EPMD_PORT=${epmdPort} ${shell}`, `    (Windows PowerShell: $env:DISTSYS_EPMD_PORT="${epmdPort}"; ${shell})`] : [`    ${shell}`]),
    `your neighbour starts theirs the same way${moved ? `, with DISTSYS_EPMD_PORT=${epmdPort} too,` : ','} named for their own address, and types:`,
    `    await Node.connect('you@${address}')        // true`,
    ...WHEN_IT_FAILS,
  ];
}

/** The port mapper's port this laptop's nodes use (DISTSYS_EPMD_PORT); the default when it is not a port (its own check says so). */
function configuredEpmdPort(): number {
  try {
    return epmdPortFromEnv();
  } catch {
    return DEFAULT_EPMD_PORT;
  }
}

function shown(a: RoomAddress): string {
  return `${a.address} (${a.iface}${a.vpn ? ', a VPN?' : a.virtual ? ', virtual' : ''})`;
}

async function checkNetwork(ctx: NetworkContext): Promise<CheckResult> {
  if (ctx.inContainer) {
    return {
      status: 'ok',
      summary: 'running in a container: its nodes reach each other, but other laptops cannot reach them',
      details: ['Every stage runs on one machine, so that is enough; to join the room\'s nodes, run the kit on a laptop.'],
    };
  }
  const target = ctx.target;
  if (!target) {
    return {
      status: 'warn',
      summary: 'this machine has no address on a network, only its own (127.0.0.1)',
      details: ["Everything on one laptop works. To connect with other laptops, join the room's Wi-Fi and run npx distsys doctor again."],
    };
  }
  const others = ctx.addresses.filter((a) => a !== target);
  const vpn = ctx.addresses.find((a) => a.vpn);
  const notes = [
    ...(others.length > 0 ? [`Its other addresses: ${others.map(shown).join(', ')}; use the one on the room's network.`] : []),
    ...(vpn ? [`${vpn.iface} looks like a VPN: it can take the room's traffic elsewhere or block it; disconnect it for the workshop.`] : []),
  ];
  const failed = (summary: string, evidence: string[]): CheckResult => ({
    status: 'fail',
    summary,
    details: [...evidence, "If your system asked whether Node.js may accept incoming connections, allow it, then run the doctor again.", ...neighbourSteps(target.address), ...notes],
  });
  let node: SpawnedNode;
  try {
    node = await (ctx.started as Promise<SpawnedNode>);
  } catch (err) {
    return failed(`a node named for ${shown(target)} could not start there: ${startFailure(err)}`, []);
  }
  if (ctx.local === undefined) return failed(`cannot try ${target.address}: this process is not a node (above)`, []);
  if (!(await Node.connect(node.name))) {
    return failed(`this machine cannot reach its own node at ${target.address}`, ctx.logs.slice(-3).map((l) => `the node said: ${l}`));
  }
  try {
    await exchange(node.name);
  } catch (err) {
    return failed(`a node at ${target.address} connected but did not answer: ${reason(err)}`, []);
  }
  return {
    status: vpn ? 'warn' : 'ok',
    summary: `this machine's address: ${shown(target)}; a node named ${node.name} answers there`,
    details: [...neighbourSteps(target.address), ...notes],
  };
}
