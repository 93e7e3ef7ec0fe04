// The storage's durability: an append-only journal of JSON lines, one per
// change, written with writeSync before the change is acknowledged. The OS
// holds what was written even if the storage is killed with -9 an instant
// later; we do not fsync each line, so a crash of the whole machine may lose
// the last writes (like Redis's `appendfsync no`), which is the price of
// answering in microseconds.
//
// What it writes is the user's data, in a folder the user picked (which other
// users may be able to read, or write in): the folder is created private
// (0700) when it is new, every file is created 0600, and no file is opened
// through a symbolic link someone left at its name.
import { closeSync, constants, fchmodSync, ftruncateSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const JOURNAL_FILE = 'journal.jsonl';
const LOCK_FILE = 'LOCK';

/** Where the system has it (not Windows): a file is never opened through a link at its name. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

// What the journal records is the effect of a command, not the command: an
// incr is journaled as the set it amounts to, so a replay needs no checks that
// could fail.
const journalEntry = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), key: z.string(), value: z.string() }),
  z.object({ op: z.literal('del'), key: z.string() }),
  z.object({ op: z.literal('rpush'), key: z.string(), values: z.array(z.string()) }),
]);
export type JournalEntry = z.infer<typeof journalEntry>;

export interface Journal {
  readonly path: string;
  /** Appends one entry; when it returns, the entry is in the OS's hands. Throws if it could not be written. */
  append(entry: JournalEntry): void;
  /** Empties the journal (for `flush`). */
  truncate(): void;
  /** Closes the file and frees the directory for another storage. */
  close(): void;
}

export interface OpenedJournal {
  journal: Journal;
  /** The entries found on disk, oldest first, to replay. */
  entries: JournalEntry[];
}

/**
 * Opens (or creates) the journal in `dir` and reads what it holds. A torn last
 * line, left by a kill in the middle of a write, was never acknowledged: it is
 * cut off with a warning. A bad line anywhere else is damage we cannot explain,
 * and the storage refuses to start rather than silently lose data.
 */
export function openJournal(dir: string, warn: (line: string) => void = () => {}): OpenedJournal {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const releaseLock = lockDirectory(dir);
  const path = join(dir, JOURNAL_FILE);
  let fd: number | undefined;
  try {
    // 'a+', private, never through a link.
    fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW, 0o600);
    try {
      fchmodSync(fd, 0o600); // a journal an older kit made readable by everyone becomes private too
    } catch {
      // not ours to change (or Windows): it stays as it was
    }
    const { entries, size } = readEntries(fd, path, warn);
    return { journal: appender(fd, path, size, releaseLock), entries };
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    releaseLock();
    throw err;
  }
}

function readEntries(fd: number, path: string, warn: (line: string) => void): { entries: JournalEntry[]; size: number } {
  const bytes = readFileSync(fd);
  const entries: JournalEntry[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    lineNo++;
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const text = bytes.subarray(start, end).toString('utf8');
    const blank = text.trim() === '';
    const entry = blank ? undefined : decode(text);
    if (newline === -1) {
      // The last line has no newline: the write that made it did not finish.
      if (entry) {
        // Complete but for its newline: keep it, and end it so the next append starts a line.
        writeAll(fd, Buffer.from('\n'));
        entries.push(entry);
        return { entries, size: bytes.length + 1 };
      }
      warn(`${path}: ignoring a torn last line (${end - start} bytes, from a write that never finished): ${preview(text)}`);
      ftruncateSync(fd, start);
      return { entries, size: start };
    }
    if (entry) entries.push(entry);
    else if (!blank) {
      throw new Error(`${path} line ${lineNo} is damaged (${preview(text)}); the storage will not start on a journal it cannot read in full. Fix or delete that line.`);
    }
    start = newline + 1;
  }
  return { entries, size: bytes.length };
}

/** The entry on one line, or undefined if the line is not one. */
function decode(text: string): JournalEntry | undefined {
  try {
    const parsed = journalEntry.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function appender(fd: number, path: string, initialSize: number, releaseLock: () => void): Journal {
  let size = initialSize;
  let open = true;
  return {
    path,
    append(entry) {
      if (!open) throw new Error(`the journal ${path} is closed`);
      const line = Buffer.from(`${JSON.stringify(entry)}\n`);
      try {
        writeAll(fd, line);
      } catch (err) {
        // Take back a partial line, so the next append does not glue onto it.
        try {
          ftruncateSync(fd, size);
        } catch {
          // the disk is in trouble; the torn line will be cut at the next start
        }
        throw new Error(`cannot write to the journal ${path}: ${(err as Error).message}`);
      }
      size += line.length;
    },
    truncate() {
      if (!open) throw new Error(`the journal ${path} is closed`);
      ftruncateSync(fd, 0);
      size = 0;
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
      releaseLock();
    },
  };
}

// The file is opened for appending, so every write goes to its end.
function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written);
}

function preview(text: string): string {
  const json = JSON.stringify(text);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** How long a lock holder that was just killed may take to be gone for good (its parent reaps it). */
const DYING_HOLDER_MS = 2_000;

/**
 * Two storages appending to one journal would interleave their lines, so a
 * directory belongs to one storage process at a time: `LOCK` holds its pid. A
 * lock left by a process that is gone (killed with -9) is taken over. A process
 * killed a moment ago still counts as alive until its parent reaps it, so a
 * holder that looks alive is given a moment to go before the lock is refused:
 * a storage restarted at once after a kill -9 starts.
 */
function lockDirectory(dir: string): () => void {
  const lockPath = join(dir, LOCK_FILE);
  const patience = Date.now() + DYING_HOLDER_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw lockError(lockPath, err);
      const holder = lockHolder(lockPath);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        if (Date.now() < patience) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // opening is synchronous: wait in place
          continue;
        }
        throw new Error(`the storage directory ${dir} is in use by process ${holder} (if that is not a storage, delete ${lockPath})`);
      }
      try {
        unlinkSync(lockPath);
      } catch {
        // another storage took it over first; the next attempt will say who
      }
    }
  }
  return () => {
    try {
      if (lockHolder(lockPath) === process.pid) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
}

function lockError(lockPath: string, err: unknown): Error {
  const holder = lockHolder(lockPath);
  if (holder !== undefined && holder !== process.pid) return new Error(`the storage directory is in use by process ${holder} (lock ${lockPath})`);
  return new Error(`cannot lock ${lockPath}: ${(err as Error).message}`);
}

function lockHolder(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
