// `distsys view`: the live view of the nodes running on this host, in the
// browser. It starts a node of its own (the observer), finds the others through
// the port mapper, and serves the page on 127.0.0.1 until Ctrl+C.
import { z } from 'zod';
import { Node } from '../../lib/index.ts';
import { UsageError, hostOf, log, parseFlags } from '../../lib/internal.ts';
import { attachedAccess, openView } from '../view/index.ts';

const portFlag = z.coerce.number().int().min(0).max(65535);

export async function viewCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, {
    sname: { type: 'string' },
    name: { type: 'string' },
    cookie: { type: 'string' },
    port: { type: 'string' },
  });
  let port = 0;
  if (values.port !== undefined) {
    const parsed = portFlag.safeParse(values.port);
    if (!parsed.success) throw new UsageError(`--port ${values.port}: not a port number (0-65535, 0 for any free port)`);
    port = parsed.data;
  }
  if (values.cookie === '') throw new UsageError('--cookie cannot be empty');
  const id = typeof values.name === 'string' ? { name: values.name } : { sname: values.sname ?? `view${process.pid}` };
  await Node.start(id, values.cookie ? { cookie: values.cookie } : {});
  const view = await openView({ access: attachedAccess(), title: `nodes on ${hostOf(Node.self())}`, port, onRefused: (why) => log.warning(`view: refused a request: ${why}`) });
  process.stdout.write(`live view of the nodes on this host: open ${view.url}\n(Ctrl+C stops the view; the nodes go on)\n`);
  let leaving = false;
  const leave = () => {
    if (leaving) return;
    leaving = true;
    // Its pages keep the last picture, greyed, and say why instead of retrying for a view that is gone.
    void view
      .close('The view was stopped (Ctrl+C in its terminal); the nodes go on.')
      .then(() => Node.stop())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', leave);
  process.on('SIGTERM', leave);
}
