// The process table of this node: every live process by number, the registry
// of names, and which process the running code belongs to (`self()`), carried
// by AsyncLocalStorage so no context has to be threaded through calls.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Mailbox } from './mailbox.ts';
import { localNode } from '../localNode.ts';
import type { NodeName, Pid, Ref, RemoteName } from '../terms.ts';

/** A monitor this process holds on another: where to send the demonitor, what to report on DOWN. */
export interface HeldMonitor {
  readonly ref: Ref;
  readonly node: NodeName;
  readonly object: Pid | RemoteName;
  readonly targetPid: Pid | undefined;
}

export class Proc {
  readonly pid: Pid;
  readonly mailbox = new Mailbox();
  /** Linked processes, keyed by `pidKey`. */
  readonly links = new Map<string, Pid>();
  /** Monitors this process holds, keyed by `refKey`. */
  readonly monitors = new Map<string, HeldMonitor>();
  /** Monitors others hold on this process: ref key -> watcher and the object it named. */
  readonly monitoredBy = new Map<string, { ref: Ref; watcher: Pid; object: Pid | RemoteName }>();
  trapExit = false;
  alive = true;
  registeredName: string | undefined;
  /** A label for logs and errors ("GenServer Counter"), set by behaviours. */
  label: string | undefined;
  constructor(pid: Pid) {
    this.pid = pid;
  }
  describe(): string {
    const name = this.registeredName ? ` (${this.registeredName})` : '';
    return `${this.pid.toString()}${name}`;
  }
}

export function pidKey(pid: { node: NodeName; id: number; creation: number }): string {
  return `${pid.node}|${pid.id}|${pid.creation}`;
}

/**
 * A ref's key. A ref an Erlang node made is its words (its id is only derived from them, and
 * two such refs could share an id): they are part of the key. The kit's own refs have none.
 */
export function refKey(ref: Ref): string {
  return ref.words === undefined ? pidKey(ref) : `${pidKey(ref)}|${ref.words.join('.')}`;
}

const procs = new Map<number, Proc>();
const registry = new Map<string, Proc>();
const current = new AsyncLocalStorage<Proc>();
let root: Proc | undefined;

export const table = {
  create(): Proc {
    const proc = new Proc(localNode.newPid());
    procs.set(proc.pid.id, proc);
    return proc;
  },
  /** The live process a pid names on this node, if any. */
  lookup(pid: Pid): Proc | undefined {
    if (!localNode.owns(pid)) return undefined;
    const proc = procs.get(pid.id);
    return proc?.alive ? proc : undefined;
  },
  lookupId(id: number, creation: number): Proc | undefined {
    if (creation !== localNode.creation) return undefined;
    const proc = procs.get(id);
    return proc?.alive ? proc : undefined;
  },
  remove(proc: Proc): void {
    procs.delete(proc.pid.id);
    if (proc.registeredName !== undefined && registry.get(proc.registeredName) === proc) registry.delete(proc.registeredName);
    proc.registeredName = undefined;
    if (root === proc) root = undefined;
  },
  all(): IterableIterator<Proc> {
    return procs.values();
  },
  count(): number {
    return procs.size;
  },
  whereisProc(name: string): Proc | undefined {
    const proc = registry.get(name);
    return proc?.alive ? proc : undefined;
  },
  register(name: string, proc: Proc): void {
    if (!/^[^\s]+$/.test(name)) throw new Error(`cannot register ${JSON.stringify(name)}: a name is a non-empty word without spaces`);
    const holder = registry.get(name);
    if (holder && holder.alive) throw new Error(`cannot register ${name}: already registered to ${holder.pid.toString()}`);
    if (proc.registeredName !== undefined) throw new Error(`cannot register ${proc.pid.toString()} as ${name}: it is already registered as ${proc.registeredName}`);
    registry.set(name, proc);
    proc.registeredName = name;
  },
  unregister(name: string): boolean {
    const proc = registry.get(name);
    if (!proc) return false;
    registry.delete(name);
    proc.registeredName = undefined;
    return true;
  },
  registered(): string[] {
    return [...registry.keys()];
  },
  /** Runs `fn` as code of `proc`, so `self()` inside it (and in everything it awaits) is `proc`. */
  runAs<T>(proc: Proc, fn: () => T): T {
    return current.run(proc, fn);
  },
  /**
   * The process the running code belongs to. Code outside any spawned process
   * (a test, the shell, a script) gets the node's root process, like iex's shell process.
   */
  current(): Proc {
    const proc = current.getStore();
    if (proc) return proc;
    if (!root || !root.alive) {
      root = this.create();
      root.label = 'root';
    }
    return root;
  },
  /** Forgets everything: used when a test or the shell stops the node for good. */
  reset(): void {
    procs.clear();
    registry.clear();
    root = undefined;
  },
};
