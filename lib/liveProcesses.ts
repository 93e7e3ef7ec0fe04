// A record of the kit's own OS processes while they live (nodes, the port
// mapper, the storage, shells), one small file each in a folder of the
// temporary directory, removed when the process exits. A process killed with
// -9 cannot remove its file, so readers skip files whose process is gone.
// Scripts that must leave nothing behind (npm run soak, npm run fuzz) ask it
// afterwards which kit processes are still alive; this works the same on every
// platform, where listing processes would not.
//
// The temporary directory may be shared by every user of the machine (/tmp),
// so the folder is the user's own (distsys-live-UID), created private (0700),
// and used only if it is a real folder (not a link), owned by the user and
// writable by nobody else: otherwise another user could have made it first and
// planted links named after the next process ids, through which a node would
// write its record over any file its user may write (the cookie file, say).
// Records are created without following a link and without replacing a file.
//
// A record names its process by more than its number: a process killed with -9
// leaves its record, and the system later gives its number to an unrelated
// process. Where the platform tells a process's start time (Linux), the record
// keeps it, and a process with that number but another start time is not ours.
import { fs } from './builtins.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './logger.ts';
const { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } = fs;

export interface LiveProcess {
  readonly pid: number;
  /** What it is: `node chris@host`, `port mapper 4371`, `storage`, … */
  readonly what: string;
  readonly started: number;
  /** The process's start time as the system counts it (Linux: clock ticks since boot), when the platform tells it. */
  readonly since?: string;
}

/** This user's number; -1 on Windows, which has no numbers (and gives each user a temporary directory of their own). */
const myUid = (): number => (process.platform !== 'win32' ? (process.getuid?.() ?? -1) : -1);

/** The name of the records' folder in the temporary directory: the user's own. */
export function liveFolderName(): string {
  const uid = myUid();
  return uid >= 0 ? `distsys-live-${uid}` : 'distsys-live';
}

const folder = () => join(tmpdir(), liveFolderName());

/** Where links are not followed and files not replaced: O_NOFOLLOW where the system has it (not Windows). */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * The records' folder, made private if it is new; throws, in words, if it is not the user's
 * own private folder (then no record is written: better no record than one through a link).
 */
export function privateFolder(dir = folder()): string {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return checkedFolder(dir);
}

/** `dir` if it is a real folder of this user's that nobody else may write in; else an Error that says what it is. */
function checkedFolder(dir: string): string {
  const stat = lstatSync(dir);
  const uid = myUid();
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new Error(`${dir} is not a folder but ${stat.isSymbolicLink() ? 'a symbolic link' : 'a file'}; someone else may have put it there: remove it`);
  }
  if (uid >= 0 && stat.uid !== uid) {
    throw new Error(`${dir} belongs to another user (uid ${stat.uid}), who could read and replace what the kit writes there: remove it, or set TMPDIR to a folder of your own`);
  }
  if (uid >= 0 && (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir} can be written by other users (mode ${(stat.mode & 0o777).toString(8)}): chmod 700 it, or remove it`);
  }
  return dir;
}

/** The start time the system gives the process `pid`, or undefined where it does not say (not Linux) or the process is gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = process.platform === 'linux' ? readFileSync(`/proc/${pid}/stat`, 'latin1') : undefined;
    if (stat === undefined) return undefined;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it. Field 22 is the start time.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Records this process as one of the kit's, until it exits. */
export function recordThisProcess(what: string): void {
  let dir: string;
  try {
    dir = privateFolder();
  } catch (err) {
    // The process runs on without its record; say why once, since a soak will miss it.
    log.warning(`not recording this process in the temporary folder: ${(err as Error).message}`);
    return;
  }
  const file = join(dir, `${process.pid}.json`);
  const record: LiveProcess = { pid: process.pid, what, started: Date.now(), ...withSince(startTimeOf(process.pid)) };
  try {
    let fd: number;
    try {
      fd = openSync(file, CREATE_NEW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A record left by a process of ours that had this number before (killed with -9); the folder is ours.
      unlinkSync(file);
      fd = openSync(file, CREATE_NEW, 0o600);
    }
    try {
      writeSync(fd, JSON.stringify(record));
    } finally {
      closeSync(fd);
    }
    process.once('exit', () => rmSync(file, { force: true }));
  } catch {
    // A read-only temporary directory only costs the record, never the process.
  }
}

const withSince = (since: string | undefined) => (since === undefined ? {} : { since });

function alive(record: LiveProcess): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A number the system gave to another process since: not the one recorded.
  return record.since === undefined || startTimeOf(record.pid) === record.since;
}

/**
 * The kit's processes alive now (the records of dead ones are removed on the way). Throws if
 * the records' folder is not the user's own private one: its records are not the kit's word.
 */
export function liveKitProcesses(): LiveProcess[] {
  const dir = folder();
  try {
    checkedFolder(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const live: LiveProcess[] = [];
  for (const file of files) {
    try {
      const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as LiveProcess;
      if (record.pid !== process.pid && alive(record)) live.push(record);
      else if (record.pid !== process.pid) rmSync(join(dir, file), { force: true });
    } catch {
      // a record being written or removed right now
    }
  }
  return live;
}
