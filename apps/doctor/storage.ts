// The storage (the workshop's Redis, from stage 2 on): that it starts as its
// own OS process, answers with its token, and keeps a value. It runs in a
// temporary folder and is stopped, and the folder removed, before the check ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '../../lib/index.ts';
import { startStorage, type StorageProcess } from '../../lib/cluster/index.ts';
import { reason, startFailure, type CheckResult } from './check.ts';

const READY_MS = 20_000;
const COMMAND_MS = 3_000;

export async function checkStorage(): Promise<CheckResult> {
  const dir = mkdtempSync(join(tmpdir(), 'distsys-doctor-'));
  const started = performance.now();
  let storage: StorageProcess | undefined;
  try {
    try {
      storage = await startStorage({ dir, readyTimeoutMs: READY_MS });
    } catch (err) {
      return {
        status: 'fail',
        summary: `the storage did not start: ${startFailure(err)}`,
        details: [
          'Run npx distsys storage --dir ./data to see what it says; npm install again if a module is missing.',
          'A security program that holds new programs back can make it slow: allow Node.js.',
        ],
      };
    }
    const startMs = Math.round(performance.now() - started);
    try {
      const client = Storage.connect(storage.url, { timeoutMs: COMMAND_MS });
      await client.ping();
      await client.set('doctor', 'ok');
      const kept = await client.get('doctor');
      if (kept !== 'ok') throw new Error(`it gave back ${JSON.stringify(kept)} for the value just set`);
    } catch (err) {
      return {
        status: 'fail',
        summary: `the storage started but did not answer: ${reason(err)}`,
        details: ['A firewall or security program may be blocking connections on this machine itself (127.0.0.1): allow Node.js.'],
      };
    }
    return { status: 'ok', summary: `the storage started (in ${startMs} ms), answered and kept a value` };
  } finally {
    await storage?.stop().catch(() => {});
    // Windows keeps a folder busy for a moment after the process that had files open in it exits.
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}
