// `distsys storage --dir DIR`: the storage in the foreground, outside any node,
// so a partition between nodes never cuts one off from it. It says
// `storage ready <url>` on stdout once it answers (the URL carries its token:
// give it whole to whoever should use the storage), and runs until it is told
// to stop (SIGTERM, SIGINT) or its parent goes away.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { startStorageServer } from '../storage/server.ts';
import { UsageError, parseFlags } from './args.ts';
import { STORAGE_READY } from './readyLine.ts';

const portFlag = z.coerce.number().int().min(0).max(65535);

export async function storageCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, {
    dir: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    'max-mb': { type: 'string' },
    temporary: { type: 'boolean' },
  });
  if (typeof values.dir !== 'string' || values.dir === '') throw new UsageError('give the storage a directory for its journal: --dir DIR');
  let port = 0;
  if (values.port !== undefined) {
    const parsed = portFlag.safeParse(values.port);
    if (!parsed.success) throw new UsageError(`--port ${values.port}: not a port number (0-65535, 0 for any free port)`);
    port = parsed.data;
  }
  let maxDataBytes: number | undefined;
  if (values['max-mb'] !== undefined) {
    const parsed = z.coerce.number().int().min(1).safeParse(values['max-mb']);
    if (!parsed.success) throw new UsageError(`--max-mb ${values['max-mb']}: not a whole number of MiB (at least 1)`);
    maxDataBytes = parsed.data * 1024 * 1024;
  }
  const dir = resolve(values.dir);
  const server = await startStorageServer({
    dir,
    port,
    ...(values.host ? { host: values.host } : {}),
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(maxDataBytes !== undefined ? { maxDataBytes } : {}),
    log: (line) => process.stderr.write(`[storage] ${line}\n`),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server
      .close()
      // A store made for one run (the harness's) takes its directory with it when it stops.
      .then(() => values.temporary && rmSync(dir, { recursive: true, force: true }))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by a harness, it dies with it, even when the parent was killed with -9.
  if (process.connected) process.on('disconnect', stop);
  process.stdout.write(STORAGE_READY.say(server.url));
  for (const other of server.otherUrls) process.stdout.write(`other hosts: ${other}\n`);
}
