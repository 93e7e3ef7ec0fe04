// Erlang's processes, as the `Process` module of Elixir presents them: spawn,
// self, send, selective receive, links, monitors, registration and exits.
import { localNode } from '../localNode.ts';
import { isDown, isPid, isRemoteName, sameRef, type Dest, type Pid, type Ref, type RemoteName } from '../terms.ts';
import { ExitSignal, type Matcher } from './mailbox.ts';
import * as signals from './signals.ts';
import { table, type Proc } from './table.ts';

export { ExitSignal, ReceiveTimeout } from './mailbox.ts';

export interface SpawnOptions {
  /** Link the new process to the caller before it runs (`spawn_link`). */
  link?: boolean;
  /** Monitor it from the caller; the ref is returned beside the pid (`spawn_monitor`). */
  monitor?: boolean;
  /** A label for crash logs ("GenServer Counter"). */
  label?: string;
}

function start(fn: () => unknown, proc: Proc): void {
  table.runAs(proc, () => {
    // Runs on the next microtask, like a new Erlang process that is scheduled after spawn returns.
    Promise.resolve()
      .then(() => (proc.alive ? fn() : undefined))
      .then(
        () => signals.terminate(proc, 'normal'),
        (err: unknown) => signals.terminate(proc, err instanceof ExitSignal ? err.reason : err),
      );
  });
}

function spawnProc(fn: () => unknown, options: SpawnOptions = {}): { pid: Pid; ref?: Ref } {
  const parent = table.current();
  const proc = table.create();
  proc.label = options.label;
  if (options.link) signals.link(parent, proc.pid);
  const ref = options.monitor ? signals.monitor(parent, proc.pid) : undefined;
  start(fn, proc);
  return ref ? { pid: proc.pid, ref } : { pid: proc.pid };
}

/** Starts `fn` as a new process and returns its pid at once. */
export function spawn(fn: () => unknown, options?: Omit<SpawnOptions, 'monitor'>): Pid {
  return spawnProc(fn, options).pid;
}

/** Starts `fn` as a process linked to the caller (Erlang's `spawn_link`). */
export function spawnLink(fn: () => unknown): Pid {
  return spawnProc(fn, { link: true }).pid;
}

/** Starts `fn` as a process monitored by the caller (Erlang's `spawn_monitor`). */
export function spawnMonitor(fn: () => unknown): { pid: Pid; ref: Ref } {
  const { pid, ref } = spawnProc(fn, { monitor: true });
  return { pid, ref: ref as Ref };
}

/** The pid of the process running this code (outside any process: the node's root process). */
export function self(): Pid {
  return table.current().pid;
}

/**
 * Sends `msg` to a pid, a locally registered name, or `{name, node}`; returns `msg`.
 * A message to a dead or unknown process is dropped, as in Erlang; a bare name that
 * nobody holds here, or a message that cannot cross between nodes, throws.
 */
export function send<T>(dest: Dest, msg: T): T {
  if (isPid(dest)) signals.sendToPid(dest, msg);
  else if (typeof dest === 'string') signals.sendToName(dest, undefined, msg);
  else if (isRemoteName(dest)) signals.sendToName(dest.name, dest.node, msg);
  else throw new TypeError(`cannot send to ${String(dest)}: a destination is a Pid, a registered name or {name, node}`);
  return msg;
}

/**
 * Takes the oldest message in the caller's mailbox that `match` accepts (any message
 * without one), waiting up to `timeoutMs`; on timeout it throws `ReceiveTimeout`.
 */
export function receive<T = unknown>(match?: ((msg: unknown) => msg is T) | Matcher, timeoutMs = Infinity): Promise<T> {
  const proc = table.current();
  return proc.mailbox.receive(match, timeoutMs, () => proc.describe()) as Promise<T>;
}

/** Ends the calling process with `reason` (Erlang's `exit/1`): throws, so the code stops here. */
export function exitSelf(reason: unknown): never {
  throw new ExitSignal(reason);
}

/**
 * Sends an exit signal to `pid` (Erlang's `exit/2`): it dies with `reason` unless it traps
 * exits (then it gets `{type: 'EXIT'}`); 'normal' is ignored by others; 'kill' cannot be trapped.
 */
export function exit(pid: Pid, reason: unknown): true {
  signals.exitSignal(self(), pid, reason, false);
  return true;
}

export function link(pid: Pid): true {
  signals.link(table.current(), pid);
  return true;
}

export function unlink(pid: Pid): true {
  signals.unlink(table.current(), pid);
  return true;
}

/** Monitors a pid or `{name, node}`: when it ends the caller gets `{type: 'DOWN', ref, kind, object, reason}`. */
export function monitor(target: Pid | RemoteName | string): Ref {
  const object = typeof target === 'string' ? { name: target, node: localNode.name } : target;
  return signals.monitor(table.current(), object);
}

/** Removes a monitor; with `flush`, also a DOWN message of it already in the mailbox. */
export async function demonitor(ref: Ref, options: { flush?: boolean } = {}): Promise<boolean> {
  const proc = table.current();
  const removed = signals.demonitor(proc, ref);
  // With flush, a DOWN of this monitor that arrived already goes too (none can arrive after).
  if (options.flush) proc.mailbox.takeNow((m) => isDown(m) && sameRef(m.ref, ref));
  return removed;
}

/** Sets a process flag of the caller; only `trapExit` exists. Returns the old value. */
export function flag(name: 'trapExit', value: boolean): boolean {
  // The shell and plain JavaScript callers are not held to the type.
  if (name !== 'trapExit') throw new Error(`Process.flag: unknown flag ${JSON.stringify(name)}; the only one is 'trapExit'`);
  const proc = table.current();
  const old = proc.trapExit;
  proc.trapExit = value;
  return old;
}

/** Registers the caller (or `pid`, if local) under `name` on this node. */
export function register(name: string, pid: Pid = self()): true {
  const proc = table.lookup(pid);
  if (!proc) throw new Error(`cannot register ${name}: ${pid.toString()} is not a live process on this node`);
  table.register(name, proc);
  return true;
}

export function unregister(name: string): true {
  if (!table.unregister(name)) throw new Error(`cannot unregister ${name}: no process is registered under that name`);
  return true;
}

/** The pid registered under `name` on this node, or undefined. */
export function whereis(name: string): Pid | undefined {
  return table.whereisProc(name)?.pid;
}

export function registered(): string[] {
  return table.registered();
}

/** Whether a local process is alive; throws for a remote pid, as Erlang does. */
export function isAlive(pid: Pid): boolean {
  if (!localNode.owns(pid) && pid.node !== localNode.name) throw new Error(`Process.isAlive: ${pid.toString()} is not a local process`);
  return table.lookup(pid) !== undefined;
}

/** Sends `msg` to `dest` after `ms` milliseconds; returns a timer `cancelTimer` takes. */
export function sendAfter(dest: Dest, msg: unknown, ms: number): NodeJS.Timeout {
  const from = table.current();
  return setTimeout(() => {
    if (!from.alive) return;
    try {
      table.runAs(from, () => send(dest, msg));
    } catch {
      // the destination vanished; a timer message is dropped like any other
    }
  }, ms);
}

export function cancelTimer(timer: NodeJS.Timeout): void {
  clearTimeout(timer);
}

/** What a process's mailbox holds right now, for inspection (`Process.info(pid, :messages)`). */
export function info(pid: Pid): { messages: readonly unknown[]; links: Pid[]; registeredName?: string; trapExit: boolean } | undefined {
  const proc = table.lookup(pid);
  if (!proc) return undefined;
  return {
    messages: proc.mailbox.peek(),
    links: [...proc.links.values()],
    trapExit: proc.trapExit,
    ...(proc.registeredName !== undefined ? { registeredName: proc.registeredName } : {}),
  };
}

/** Every live process on this node. */
export function list(): Pid[] {
  return [...table.all()].filter((p) => p.alive).map((p) => p.pid);
}
