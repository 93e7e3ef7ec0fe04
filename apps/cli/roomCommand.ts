// `distsys room`: the instructor's view of the room, for the projector: which
// attendees are on which stage and problem, green and red per problem, for how
// long, and the failure most of the room shares on each problem. It prints the
// address attendees give their test runs (DISTSYS_ROOM) and serves the page
// until Ctrl+C. What it holds lives in memory and goes with it.
import { z } from 'zod';
import { UsageError, parseFlags } from '../../lib/internal.ts';
import { problemsOf, stages } from '../../tools/lessons.ts';
import { openRoom, type Room } from '../room/index.ts';

const DEFAULT_PORT = 4390;
const portFlag = z.coerce.number().int().min(0).max(65535);
const tokenFlag = z.string().regex(/^[\w-]{16,100}$/, 'a token is 16 to 100 letters, digits, - or _');

export async function roomCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, { port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' } });
  const port = portFlag.safeParse(values.port ?? DEFAULT_PORT);
  if (!port.success) throw new UsageError(`--port ${values.port}: not a port number (0-65535, 0 for any free port)`);
  const token = tokenFlag.optional().safeParse(values.token);
  if (!token.success) throw new UsageError(`--token: ${token.error.issues[0]?.message ?? 'invalid'}`);
  const catalogue = stages().flatMap((stage) => problemsOf(stage).map((p) => ({ stage, ...p })));
  let room: Room;
  try {
    room = await openRoom({ port: port.data, catalogue, ...(values.host ? { host: values.host } : {}), ...(token.data ? { token: token.data } : {}) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${String(values.port ?? DEFAULT_PORT)} is taken: choose another with --port N (0: any free port)`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`--host ${String(values.host)} is not an address of this machine`);
    throw err;
  }
  const others = room.urls.slice(1).filter((u) => !u.startsWith('http://127.'));
  process.stdout.write(
    [
      `The room is open: ${room.url}`,
      '  open it on the projector (full screen: the address bar shows the token)',
      ...(others.length ? [`  on this machine's other addresses: ${others.join(' ')}`] : []),
      ...(room.url.startsWith('http://127.') ? ['  this machine has no address on a network: only tests on this laptop can report (join the room\'s Wi-Fi)'] : []),
      '',
      'Attendees who want to appear set, once per terminal (or in their shell profile), then run their tests as usual:',
      `  export DISTSYS_ROOM='${room.url}' DISTSYS_ROOM_NAME='<a name of their choice>'`,
      `  Windows PowerShell: $env:DISTSYS_ROOM='${room.url}'; $env:DISTSYS_ROOM_NAME='<a name>'`,
      `or once: npm run grade -- --room '${room.url}' --as '<a name>'`,
      'Each test run then sends the name, the results per problem and the first line of each failure: no code, no paths, no user name.',
      '',
      '(Ctrl+C closes the room; it keeps everything in memory only)',
      '',
    ].join('\n'),
  );
  let leaving = false;
  const leave = () => {
    if (leaving) return;
    leaving = true;
    void room.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', leave);
  process.on('SIGTERM', leave);
}
