// `distsys doctor`: run before the workshop, it checks what the kit needs on
// this laptop and says, in plain words, what is wrong and what to do: Node.js,
// two nodes that find each other, connect and exchange a message, the port
// mapper's port, the cookie file, the storage, and this machine's addresses
// with the command a neighbour runs to connect. It ends with one line, ready or
// not, and exits 0 when ready, 1 when not. It starts real nodes and a storage,
// and leaves nothing running.
import { setConsoleLevel } from '../../lib/index.ts';
import { parseFlags } from '../../lib/internal.ts';
import { formatCheck, verdict, type CheckResult } from '../doctor/check.ts';
import { checkCookieFile } from '../doctor/cookieFile.ts';
import { checkNodes } from '../doctor/nodes.ts';
import { checkNodeVersion } from '../doctor/nodeVersion.ts';
import { checkPortMapperPort } from '../doctor/portMapperPort.ts';
import { checkStorage } from '../doctor/storage.ts';

/** Runs every check, prints the report; returns the exit code (0 ready, 1 not). */
export async function doctor(argv: string[]): Promise<number> {
  parseFlags(argv, {});
  const began = performance.now();
  // The checks say what went wrong themselves; a node's own warnings would only interleave.
  setConsoleLevel('error');
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out('distsys doctor: is this laptop ready for the workshop?\n');

  // The slow checks run side by side; the report keeps its order.
  const port = checkPortMapperPort();
  const nodes = checkNodes({ inContainer: process.env.DISTSYS_IN_CONTAINER === '1' });
  const storage = checkStorage();
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    out(formatCheck(result));
  };
  report(checkNodeVersion(process.version));
  report((await nodes).twoNodes);
  report(await port);
  report(checkCookieFile());
  report(await storage);
  report((await nodes).network);
  const { line, ready } = verdict(results, performance.now() - began);
  out(`\n${line}`);
  return ready ? 0 : 1;
}
