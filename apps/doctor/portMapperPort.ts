// Whether the port mapper's port is usable here: free (the first node will
// start the port mapper on it), or held by the kit's own port mapper (nodes
// are running), and not held by some other program (an Erlang epmd moved
// there, a development server), which would leave every node unfindable.
// Only the kit's port mapper answers its questions (`info`, `names`); anything
// else does not speak the protocol.
import { createConnection, createServer } from 'node:net';
import { EpmdClient, epmdPortFromEnv } from '../../lib/internal.ts';
import { reason, type CheckResult } from './check.ts';

/** How long the program on the port may take to answer as a port mapper would (it answers in milliseconds). */
const ANSWER_MS = 3_000;
const CONNECT_MS = 2_000;

type Knock = { kind: 'refused' } | { kind: 'accepted' } | { kind: 'error'; message: string };

/** Knocks on 127.0.0.1:`port`: does anything accept a connection there? */
function knock(port: number): Promise<Knock> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (k: Knock) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(k);
    };
    const timer = setTimeout(() => done({ kind: 'error', message: `a connection to 127.0.0.1:${port} was neither accepted nor refused within ${CONNECT_MS} ms` }), CONNECT_MS);
    socket.once('connect', () => done({ kind: 'accepted' }));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', message: err.message }));
  });
}

/** Whether this process may listen on 127.0.0.1:`port` (Windows reserves ranges of ports, for instance); undefined if it may. */
function bindProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(`${err.code ?? 'error'}: ${err.message}`));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(undefined)));
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function movePort(port: number, fromEnv: boolean): string[] {
  const other = port < 65535 ? port + 1 : 4372;
  return [
    `Stop that program, or move the kit to a free port in every terminal you use for the workshop${fromEnv ? ' (you set DISTSYS_EPMD_PORT already: pick another)' : ''}:`,
    `  macOS, Linux: export DISTSYS_EPMD_PORT=${other}      Windows PowerShell: $env:DISTSYS_EPMD_PORT="${other}"`,
    'then run npx distsys doctor again. Every laptop that connects to yours must use the same port: tell the instructor.',
  ];
}

/** Checks the port mapper's port (DISTSYS_EPMD_PORT, else 4371) on this machine. */
export async function checkPortMapperPort(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  let port: number;
  try {
    port = epmdPortFromEnv(env);
  } catch (err) {
    return { status: 'fail', summary: reason(err), details: ['Set DISTSYS_EPMD_PORT to a port number (1-65535), or unset it for the default, 4371.'] };
  }
  const fromEnv = env.DISTSYS_EPMD_PORT !== undefined && env.DISTSYS_EPMD_PORT !== '';
  const which = `port ${port}, the port mapper's${fromEnv ? ' (from DISTSYS_EPMD_PORT)' : ''},`;
  const knocked = await knock(port);
  if (knocked.kind === 'error') {
    return { status: 'fail', summary: `${which} cannot be checked: ${knocked.message}`, details: ['A firewall or security program may be blocking connections on this machine itself (127.0.0.1): allow Node.js.'] };
  }
  if (knocked.kind === 'refused') {
    const problem = await bindProblem(port);
    if (problem === undefined) return { status: 'ok', summary: `${which} is free: the first node you start starts the port mapper there` };
    return {
      status: 'fail',
      summary: `${which} is free, but this user may not listen on it (${problem})`,
      details: [
        `On Windows, Hyper-V and WSL reserve ranges of ports: netsh interface ipv4 show excludedportrange protocol=tcp lists them.`,
        ...movePort(port, fromEnv).slice(1),
      ],
    };
  }
  try {
    const answer = await withTimeout(
      EpmdClient.ask(port, '127.0.0.1', async (client) => ({ pid: await client.pid(), names: await client.names() })),
      ANSWER_MS,
      'it did not answer as a port mapper',
    );
    const held = answer.names.length > 0 ? `, with the nodes ${answer.names.map((n) => n.name).join(', ')} registered` : ', with no node registered';
    return { status: 'ok', summary: `${which} is held by the kit's port mapper (process ${answer.pid ?? '?'})${held}: fine` };
  } catch (err) {
    return {
      status: 'fail',
      summary: `${which} is held by another program: it does not answer as the kit's port mapper (${reason(err)})`,
      details: [
        'No node of the kit can register there, so nodes cannot find each other.',
        `Which program it is: lsof -nP -iTCP:${port} -sTCP:LISTEN (macOS, Linux), or netstat -ano | findstr :${port} (Windows; then find the PID in Task Manager).`,
        "It may be an Erlang installation's epmd moved to this port (ERL_EPMD_PORT), or a development server.",
        ...movePort(port, fromEnv),
      ],
    };
  }
}
