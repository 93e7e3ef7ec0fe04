// A record of the kit's own OS processes while they live (nodes, the port
// mapper, the storage, shells), one small file each in a folder of the
// temporary directory, removed when the process exits. A process killed with
// -9 cannot remove its file, so readers skip files whose process is gone.
// Scripts that must leave nothing behind (npm run soak, npm run fuzz) ask it
// afterwards which kit processes are still alive; this works the same on every
// platform, where listing processes would not.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), 'distsys-live');

export interface LiveProcess {
  readonly pid: number;
  /** What it is: `node chris@host`, `port mapper 4371`, `storage`, … */
  readonly what: string;
  readonly started: number;
}

/** Records this process as one of the kit's, until it exits. */
export function recordThisProcess(what: string): void {
  try {
    mkdirSync(DIR, { recursive: true });
    const file = join(DIR, `${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ pid: process.pid, what, started: Date.now() } satisfies LiveProcess));
    process.once('exit', () => rmSync(file, { force: true }));
  } catch {
    // A read-only temporary directory only costs the record, never the process.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The kit's processes alive now (the records of dead ones are removed on the way). */
export function liveKitProcesses(): LiveProcess[] {
  let files: string[];
  try {
    files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const live: LiveProcess[] = [];
  for (const file of files) {
    try {
      const record = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as LiveProcess;
      if (record.pid !== process.pid && alive(record.pid)) live.push(record);
      else if (record.pid !== process.pid) rmSync(join(DIR, file), { force: true });
    } catch {
      // a record being written or removed right now
    }
  }
  return live;
}
