// The program kitProcess.ts starts: `node ARGS` or `storage ARGS` (kitCommand.ts).
// A bad flag exits with code 2 and the reason, any other failure with 1; the
// harness shows what the process wrote when it is not ready in time.
import { UsageError } from './args.ts';
import { runKitCommand } from './kitCommand.ts';

const [command, ...argv] = process.argv.slice(2);

const run = command === 'node' || command === 'storage'
  ? runKitCommand(command, argv)
  : Promise.reject(new UsageError(`unknown command ${String(command)}: node or storage`));
run.catch((err: unknown) => {
  process.stderr.write(`distsys: ${(err as Error).message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
