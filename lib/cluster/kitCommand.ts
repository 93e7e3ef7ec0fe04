// The two commands the library starts as OS processes of its own: `node` (a
// headless node: headlessNode.ts) and `storage` (storageCommand.ts). The harness
// runs them through kitMain.ts; the `distsys` command (apps/cli) runs the same
// two under the same names, so `npx distsys node --sname n1` is what a cluster
// node is.
import { recordThisProcess } from '../liveProcesses.ts';

export type KitCommand = 'node' | 'storage';

/** Records this process as the kit's `distsys <command>`, named by its node name or directory, never by a flag's value (a cookie, a token). */
export function recordCommand(command: string, argv: string[]): void {
  const named = argv.find((_, i) => argv[i - 1] === '--sname' || argv[i - 1] === '--name' || argv[i - 1] === '--dir');
  recordThisProcess(`distsys ${command}${named ? ` ${named}` : ''}`);
}

/** Runs a headless node or the storage with its command-line flags, until it is told to stop. */
export async function runKitCommand(command: KitCommand, argv: string[]): Promise<void> {
  recordCommand(command, argv);
  // Each loads only what it needs: a node does not load the storage server.
  if (command === 'node') return (await import('./headlessNode.ts')).headlessNode(argv);
  return (await import('./storageCommand.ts')).storageCommand(argv);
}
