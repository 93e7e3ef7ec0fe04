// The storage's data: a map from keys to strings or lists of strings, and the
// commands on it. Every change goes to the journal first and to memory second,
// so what an answer acknowledges is on disk, and a failed journal write leaves
// memory as it was. The data has a quota: a write that would take it over is
// refused with a clear error, and nothing already stored is lost.
import { openJournal, type Journal, type JournalEntry } from './journal.ts';
import {
  DEFAULT_MAX_DATA_BYTES, notAnIntegerMessage, overflowMessage, wrongTypeMessage, type StorageReply, type StorageRequest,
} from './protocol.ts';

type Value = string | string[];

export interface Store {
  /** Runs one command; a command that cannot run is an `{ ok: false }` reply. Throws only if the journal cannot be written. */
  execute(request: StorageRequest): StorageReply;
  /** Closes the journal and frees the directory. */
  close(): void;
}

export interface OpenStoreOptions {
  /** Where warnings go (a torn journal line at start). */
  warn?: (line: string) => void;
  /** The most data (characters of keys and values) it holds; writes beyond are refused. */
  maxDataBytes?: number;
}

/** The data and its size (characters of keys and values), kept up to date by `apply`. */
interface Data {
  readonly map: Map<string, Value>;
  size: number;
  readonly max: number;
}

/** Opens the store whose journal lives in `dir`, replaying it. */
export function openStore(dir: string, options: OpenStoreOptions = {}): Store {
  const { journal, entries } = openJournal(dir, options.warn);
  const data: Data = { map: new Map(), size: 0, max: options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES };
  for (const entry of entries) apply(data, entry);
  return {
    execute: (request) => execute(data, journal, request),
    close: () => journal.close(),
  };
}

const sizeOf = (v: Value | undefined): number => (v === undefined ? 0 : typeof v === 'string' ? v.length : v.reduce((n, s) => n + s.length, 0));

/** How much the data would grow by `entry` (negative: shrink). */
function growth(data: Data, entry: JournalEntry): number {
  const old = data.map.get(entry.key);
  const keyCost = old === undefined ? entry.key.length : 0;
  switch (entry.op) {
    case 'set':
      return keyCost + entry.value.length - sizeOf(old);
    case 'del':
      return old === undefined ? 0 : -(entry.key.length + sizeOf(old));
    case 'rpush':
      return keyCost + sizeOf(entry.values);
  }
}

function apply(data: Data, entry: JournalEntry): void {
  data.size += growth(data, entry);
  switch (entry.op) {
    case 'set':
      data.map.set(entry.key, entry.value);
      return;
    case 'del':
      data.map.delete(entry.key);
      return;
    case 'rpush': {
      const list = data.map.get(entry.key);
      if (Array.isArray(list)) list.push(...entry.values);
      else data.map.set(entry.key, [...entry.values]);
      return;
    }
  }
}

// A decimal integer as Redis accepts one: no sign but "-", no leading zeros, no spaces.
const INTEGER = /^(0|-?[1-9][0-9]*)$/;

function execute(store: Data, journal: Journal, request: StorageRequest): StorageReply {
  const data = store.map;
  const ok = (result: unknown): StorageReply => ({ ok: true, result });
  const fail = (error: string): StorageReply => ({ ok: false, error });
  /** Journals and applies `entry`, or says why not: the quota. */
  const commit = (entry: JournalEntry): StorageReply | undefined => {
    const more = growth(store, entry);
    if (more > 0 && store.size + more > store.max) {
      return fail(`${request.command}: the storage is full: it holds ${mib(store.size)} of data, its limit is ${mib(store.max)} (\`distsys storage --max-mb\`); delete keys or flush`);
    }
    journal.append(entry);
    apply(store, entry);
    return undefined;
  };

  switch (request.command) {
    case 'ping':
      return ok('pong');
    case 'get': {
      const [key] = request.args;
      const v = data.get(key);
      if (Array.isArray(v)) return fail(wrongTypeMessage('get', key));
      return ok(v ?? null);
    }
    case 'set': {
      const [key, value, options] = request.args;
      if (options?.nx && data.has(key)) return ok(false);
      return commit({ op: 'set', key, value }) ?? ok(true);
    }
    case 'del': {
      const [key] = request.args;
      if (!data.has(key)) return ok(0);
      return commit({ op: 'del', key }) ?? ok(1);
    }
    case 'incr': {
      const [key, by = 1] = request.args;
      const v = data.get(key);
      if (Array.isArray(v)) return fail(wrongTypeMessage('incr', key));
      const current = v === undefined ? 0 : INTEGER.test(v) ? Number(v) : Number.NaN;
      if (!Number.isSafeInteger(current)) {
        return fail(notAnIntegerMessage(key, v ?? ''));
      }
      const next = current + by;
      if (!Number.isSafeInteger(next)) return fail(overflowMessage(current, by));
      return commit({ op: 'set', key, value: String(next) }) ?? ok(next);
    }
    case 'rpush': {
      const [key, ...values] = request.args;
      const v = data.get(key);
      if (typeof v === 'string') return fail(wrongTypeMessage('rpush', key));
      return commit({ op: 'rpush', key, values }) ?? ok((data.get(key) as string[]).length);
    }
    case 'lrange': {
      const [key, start, stop] = request.args;
      const v = data.get(key);
      if (typeof v === 'string') return fail(wrongTypeMessage('lrange', key));
      return ok(range(v ?? [], start, stop));
    }
    case 'flush':
      journal.truncate();
      data.clear();
      store.size = 0;
      return ok(true);
  }
}

/** Redis's LRANGE: both ends inclusive, negative counts from the end (-1 is the last), out of range is clamped. */
function range(list: readonly string[], start: number, stop: number): string[] {
  const from = Math.max(start < 0 ? list.length + start : start, 0);
  const to = Math.min(stop < 0 ? list.length + stop : stop, list.length - 1);
  return from > to ? [] : list.slice(from, to + 1);
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
