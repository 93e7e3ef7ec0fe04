// `npm run demo -- NAME [--auto] [--no-view] [--view-port N]`: the instructor's
// demos on a real local cluster, narrated step by step. Without a name, the
// list. Demos run the solutions' code: `#stage/...` resolves to solutions/
// under the `solutions` condition (npm run demo passes it to Node; `distsys
// demo` started without it starts itself again with it), and DISTSYS_TARGET
// makes the nodes it starts do the same.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { demoNames, loadDemo } from '../demoRunner/catalogue.ts';
import { runDemo } from '../demoRunner/runner.ts';
import { UsageError, parseFlags } from '../../lib/internal.ts';

const portFlag = z.coerce.number().int().min(0).max(65535);

const solutionsCondition = () => /(^| )(--conditions|-C)[= ]solutions( |$)/.test(process.execArgv.join(' '));

export async function demoCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, {
    auto: { type: 'boolean' },
    'no-view': { type: 'boolean' },
    'view-port': { type: 'string' },
  });
  const entries = demoNames();
  const [name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`one demo at a time (got ${positionals.join(', ')})`);
  if (name === undefined) {
    process.stdout.write('Demos (npm run demo -- NAME; --auto runs without pauses):\n\n');
    const width = Math.max(...entries.map((e) => e.name.length));
    for (const entry of entries) {
      const summary = await loadDemo(entry).then(
        (d) => `${d.title}\n${' '.repeat(width + 4)}${d.summary}`,
        (err: Error) => `(cannot load: ${err.message.split(/\r?\n/)[0]})`,
      );
      process.stdout.write(`  ${entry.name.padEnd(width)}  ${summary}\n`);
    }
    return;
  }
  const entry = entries.find((e) => e.name === name);
  if (!entry) throw new UsageError(`no demo ${name}; the demos: ${entries.map((e) => e.name).join(', ')}`);
  if (!solutionsCondition()) {
    // The demo's own imports of #stage/... need the condition from the start: start again with it.
    const child = spawn(process.execPath, ['--conditions=solutions', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.on('SIGINT', () => {}); // the child, in the same process group, gets Ctrl+C and ends itself
    const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 130 : 1))));
    process.exit(code);
  }
  process.env.DISTSYS_TARGET = 'solutions';
  let viewPort: number | undefined;
  if (values['view-port'] !== undefined) {
    const parsed = portFlag.safeParse(values['view-port']);
    if (!parsed.success) throw new UsageError(`--view-port ${values['view-port']}: not a port number`);
    viewPort = parsed.data;
  }
  const demo = await loadDemo(entry);
  const code = await runDemo(demo, { name, auto: values.auto === true, view: values['no-view'] !== true, ...(viewPort !== undefined ? { viewPort } : {}) });
  process.exit(code);
}
