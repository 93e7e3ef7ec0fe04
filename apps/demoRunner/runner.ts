// Runs one demo on a real local cluster: this process becomes the demo's
// manager node, the live view serves the picture, each step waits for Enter
// (not with --auto), and so does the end: the last step's result is the demo's
// point, so it stays in the terminal and on the projector until the presenter
// presses Enter once more. Whatever way it ends (that Enter, a failed check,
// Ctrl+C) it tells the live view's page that the demo is over, then stops every
// node it started, the view, its own node, and the port mapper if nobody else
// uses it, so nothing is left running.
import { createInterface, type Interface } from 'node:readline';
import { Node } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import { EpmdClient, epmdPortFromEnv } from '../../lib/internal.ts';
import { openView, type LiveView } from '../view/index.ts';
import { DemoCluster } from './demoCluster.ts';
import { Show, type Demo } from './show.ts';

export interface RunOptions {
  readonly name: string;
  /** No pauses: every step runs at once (for tests and rehearsals). */
  readonly auto: boolean;
  /** Serve the live view (default). */
  readonly view: boolean;
  readonly viewPort?: number;
}

export async function runDemo(demo: Demo, options: RunOptions): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  const colour = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
  let lineReader: Interface | undefined;
  let view: LiveView | undefined;
  let cluster: DemoCluster | undefined;
  let ending: Promise<void> | undefined;

  /** `why` is printed; `farewell` is what the live view's page keeps saying once the demo is gone. */
  const end = (code: number, why?: string, farewell = 'The demo has ended: its nodes are stopped.'): Promise<void> =>
    (ending ??= (async () => {
      if (why) out(`\n${why}\n`);
      lineReader?.close();
      // Before the nodes go: the page then says the demo ended, rather than that it lost its view.
      await view?.close(farewell).catch(() => undefined);
      await cluster?.stop().catch(() => undefined);
      await Node.stop().catch(() => undefined);
      await stopIdlePortMapper();
      process.exitCode = code;
    })());
  const interrupt = () => void end(130, 'Interrupted: stopping every node of the demo.', 'The demo was stopped (Ctrl+C): its nodes are stopped.').then(() => process.exit(130));
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  // Enter between steps; an input that ends (a closed pipe) runs the rest without pauses.
  let ended = options.auto;
  const waiting: Array<() => void> = [];
  if (!options.auto) {
    lineReader = createInterface({ input: process.stdin });
    lineReader.on('line', () => waiting.shift()?.());
    lineReader.on('SIGINT', interrupt);
    lineReader.on('close', () => {
      ended = true;
      for (const go of waiting.splice(0)) go();
    });
  }
  const pause = (prompt = '[Enter] runs it; Ctrl+C stops the demo'): Promise<void> => {
    if (ended) return Promise.resolve();
    out(`  ${colour ? '\x1b[2m' : ''}${prompt}${colour ? '\x1b[0m' : ''}\n`);
    return new Promise((resolve) => waiting.push(resolve));
  };

  try {
    await LocalCluster.start({ sname: 'demo' }).catch(() => LocalCluster.start({ sname: `demo${process.pid}` }));
    cluster = new DemoCluster();
    out(`${colour ? '\x1b[1m' : ''}${options.name}: ${demo.title}${colour ? '\x1b[0m' : ''}\n`);
    out(`  the demo's node: ${Node.self()} (it starts and steers the others)\n`);
    if (options.view) {
      view = await openView({ access: cluster, title: `${options.name}: ${demo.title}`, ...(options.viewPort !== undefined ? { port: options.viewPort } : {}) });
      out(`  live view: ${view.url}\n`);
    }
    const show = new Show({ cluster, write: out, pause, caption: (text) => view?.caption(text), colour });
    await demo.run(show);
    // The last step's result is the demo's point: it stays on screen until the presenter moves on.
    if (!ended) out('\n');
    await pause('That was the last step: its result stays here and in the live view. [Enter] ends the demo');
    out(`\nThe end: stopping every node of the demo.\n`);
    await end(0);
  } catch (err) {
    await end(1, `The demo failed: ${(err as Error).message}`, `The demo failed: ${(err as Error).message}`);
  }
  // An interrupt may have ended it first: its code wins.
  return typeof process.exitCode === 'number' ? process.exitCode : 1;
}

/** The first node of a demo may have started the port mapper: stop it if no node is left using it. */
async function stopIdlePortMapper(): Promise<void> {
  await EpmdClient.ask(epmdPortFromEnv(), '127.0.0.1', async (client) => {
    if ((await client.names()).length === 0) await client.kill();
  }).catch(() => undefined);
}
