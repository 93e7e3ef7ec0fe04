// `distsys node`: a node without a prompt, for clusters and demos. It starts the
// node, imports the application module given by --boot (calling its exported
// `start()` if it has one), says `ready <name>` on stdout, and runs until it is
// told to stop (SIGTERM, SIGINT) or its parent goes away.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Node } from '../node.ts';
import { log } from '../logger.ts';
import { nodeFlags, parseFlags, startNodeFromFlags } from './args.ts';
import { NODE_READY } from './readyLine.ts';

export async function headlessNode(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, nodeFlags);
  const name = await startNodeFromFlags(values);
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void Node.stop().finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  // A child of a harness dies with it, even when the parent was killed with -9:
  // the IPC channel closes then, and so does stdin when it is a pipe.
  if (process.connected) process.on('disconnect', () => stop(0));
  if (typeof values.boot === 'string') {
    // A file URL, a `#stage/...` specifier (resolved by the kit's imports map) or a path.
    const spec = values.boot.startsWith('file:') || values.boot.startsWith('#') ? values.boot : pathToFileURL(resolve(values.boot)).href;
    try {
      const app = (await import(spec)) as { start?: () => unknown };
      if (typeof app.start === 'function') await app.start();
    } catch (err) {
      log.error(`cannot boot ${values.boot}: ${(err as Error).stack ?? String(err)}`);
      stop(1);
      return;
    }
  }
  process.stdout.write(NODE_READY.say(name));
}
