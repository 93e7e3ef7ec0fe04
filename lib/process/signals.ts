// Signals between processes: messages, exit signals through links, monitors and
// their DOWN messages. Each has a local path and a remote one; the remote one
// goes through the router the net kernel installs, over the single connection
// to the peer node, so signals between two processes keep their order.
import { copyTerm } from '../codec.ts';
import type { Entry } from '../distribution/entries.ts';
import { localNode } from '../localNode.ts';
import { log } from '../logger.ts';
import { formatReason, isPid, type NodeName, type Pid, type Ref, type RemoteName } from '../terms.ts';
import { ExitSignal } from './mailbox.ts';
import { pidKey, refKey, table, type HeldMonitor, type Proc } from './table.ts';

/** What the net kernel provides: carry a signal to a node, connecting first if needed. */
export interface Router {
  /** Encodes at once (so what cannot cross throws here) and sends or queues; never throws for an unreachable node. */
  route(node: NodeName, entry: Entry): void;
}

let router: Router | undefined;

export function installRouter(next: Router | undefined): void {
  router = next;
}

function routeRemote(node: NodeName, signal: Entry): void {
  if (router) {
    router.route(node, signal);
    return;
  }
  // Not distributed: nothing remote exists; what a send to it would do is drop,
  // and what a monitor or link would see is a lost connection.
  if (signal.kind === 'monitor') deliverDown(signal.from, signal.ref, isPid(signal.to) ? signal.to : { name: signal.to, node }, 'noconnection');
  if (signal.kind === 'link') exitSignal(signal.from, signal.to, 'noconnection', true);
}

function isLocalNode(node: NodeName): boolean {
  return node === localNode.name;
}

/** The sending process, which must be alive: a killed process that runs on stops at its next send. */
function sender(): Proc {
  const proc = table.current();
  if (!proc.alive) throw new ExitSignal('killed');
  return proc;
}

// ---- messages

export function sendToPid(to: Pid, msg: unknown): void {
  const from = sender();
  if (localNode.owns(to)) {
    const copy = copyTerm(msg);
    table.lookup(to)?.mailbox.put(copy);
    return;
  }
  routeRemote(to.node, { kind: 'send', to, msg, from: from.pid });
}

export function sendToName(name: string, node: NodeName | undefined, msg: unknown): void {
  const from = sender();
  if (node === undefined) {
    const proc = table.whereisProc(name);
    if (!proc) throw new Error(`cannot send to ${name}: no process is registered under that name on this node`);
    proc.mailbox.put(copyTerm(msg));
    return;
  }
  if (isLocalNode(node)) {
    const copy = copyTerm(msg);
    table.whereisProc(name)?.mailbox.put(copy);
    return;
  }
  routeRemote(node, { kind: 'sendName', name, msg, from: from.pid });
}

/** Puts a runtime-made message (DOWN, EXIT, nodeup) in a local mailbox, without copying. */
export function putLocal(to: Pid, msg: unknown): void {
  table.lookup(to)?.mailbox.put(msg);
}

// ---- exit signals and links

/** Delivers an exit signal from `from` to `to`, wherever `to` lives. */
export function exitSignal(from: Pid, to: Pid, reason: unknown, viaLink: boolean): void {
  if (!localNode.owns(to)) {
    routeRemote(to.node, { kind: 'exit', from, to, reason, viaLink });
    return;
  }
  const target = table.lookup(to);
  if (!target) return;
  if (viaLink) {
    if (!target.links.delete(pidKey(from))) return; // unlinked meanwhile: the signal is void
  }
  if (reason === 'kill' && !viaLink) {
    terminate(target, 'killed');
    return;
  }
  if (target.trapExit) {
    target.mailbox.put({ type: 'EXIT', from, reason });
    return;
  }
  if (reason === 'normal' && !(from.id === to.id && localNode.owns(from))) return;
  terminate(target, reason);
}

export function link(proc: Proc, other: Pid): void {
  const key = pidKey(other);
  if (proc.links.has(key)) return;
  if (localNode.owns(other)) {
    const target = table.lookup(other);
    if (!target) {
      // Linking to a process that is gone delivers an exit signal with reason noproc.
      exitSignal(other, proc.pid, 'noproc', false);
      return;
    }
    proc.links.set(key, other);
    target.links.set(pidKey(proc.pid), proc.pid);
    return;
  }
  proc.links.set(key, other);
  routeRemote(other.node, { kind: 'link', from: proc.pid, to: other });
}

export function unlink(proc: Proc, other: Pid): void {
  if (!proc.links.delete(pidKey(other))) return;
  if (localNode.owns(other)) {
    table.lookup(other)?.links.delete(pidKey(proc.pid));
    return;
  }
  routeRemote(other.node, { kind: 'unlink', from: proc.pid, to: other });
}

// ---- monitors

export function monitor(proc: Proc, target: Pid | RemoteName): Ref {
  const ref = localNode.makeRef();
  const targetPid = isPid(target) ? target : undefined;
  const node = targetPid ? targetPid.node : (target as RemoteName).node;
  const object: Pid | RemoteName = targetPid ?? { name: (target as RemoteName).name, node };
  proc.monitors.set(refKey(ref), { ref, node, object, targetPid });
  if (targetPid ? localNode.owns(targetPid) : isLocalNode(node)) {
    const watched = targetPid ? table.lookup(targetPid) : table.whereisProc((target as RemoteName).name);
    if (!watched) {
      deliverDown(proc.pid, ref, object, 'noproc');
      return ref;
    }
    watched.monitoredBy.set(refKey(ref), { ref, watcher: proc.pid, object });
    return ref;
  }
  routeRemote(node, { kind: 'monitor', from: proc.pid, to: targetPid ?? (target as RemoteName).name, ref });
  return ref;
}

function heldIsLocal(held: HeldMonitor): boolean {
  return held.targetPid ? localNode.owns(held.targetPid) : isLocalNode(held.node);
}

export function demonitor(proc: Proc, ref: Ref): boolean {
  const held = proc.monitors.get(refKey(ref));
  if (!held) return false;
  proc.monitors.delete(refKey(ref));
  if (heldIsLocal(held)) {
    const watched = held.targetPid ? table.lookup(held.targetPid) : table.whereisProc((held.object as RemoteName).name);
    watched?.monitoredBy.delete(refKey(ref));
  } else {
    routeRemote(held.node, { kind: 'demonitor', from: proc.pid, to: held.targetPid ?? (held.object as RemoteName).name, ref });
  }
  return true;
}

/** Delivers `DOWN` for `ref` to `watcher` (local or remote) and forgets the monitor. */
function deliverDown(watcher: Pid, ref: Ref, object: Pid | RemoteName, reason: unknown): void {
  if (!localNode.owns(watcher)) {
    routeRemote(watcher.node, { kind: 'down', to: watcher, ref, object, reason });
    return;
  }
  const proc = table.lookup(watcher);
  if (!proc || !proc.monitors.delete(refKey(ref))) return; // demonitored meanwhile
  proc.mailbox.put({ type: 'DOWN', ref, kind: 'process', object, reason });
}

// ---- the end of a process

function isQuietReason(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || reason === 'killed' || reason === 'kill' ||
    (typeof reason === 'object' && reason !== null && 'shutdown' in reason);
}

/** Ends a process: its links get exit signals, its watchers DOWN, its name is freed. */
export function terminate(proc: Proc, reason: unknown): void {
  if (!proc.alive) return;
  proc.alive = false;
  proc.mailbox.close(new ExitSignal(reason));
  table.remove(proc);
  if (reason instanceof Error && !isQuietReason(reason)) {
    const what = proc.label ? `${proc.label} ${proc.describe()}` : `process ${proc.describe()}`;
    log.error(`${what} crashed: ${reason.stack ?? formatReason(reason)}`);
  }
  for (const other of proc.links.values()) exitSignal(proc.pid, other, reason, true);
  proc.links.clear();
  for (const { ref, watcher, object } of proc.monitoredBy.values()) deliverDown(watcher, ref, object, reason);
  proc.monitoredBy.clear();
  for (const held of proc.monitors.values()) {
    if (!heldIsLocal(held)) {
      routeRemote(held.node, { kind: 'demonitor', from: proc.pid, to: held.targetPid ?? (held.object as RemoteName).name, ref: held.ref });
    }
  }
  proc.monitors.clear();
}

// ---- signals arriving from other nodes (the net kernel calls these)

export const incoming = {
  send(toId: number, creation: number, msg: unknown): void {
    table.lookupId(toId, creation)?.mailbox.put(msg);
  },
  sendName(name: string, msg: unknown): void {
    table.whereisProc(name)?.mailbox.put(msg);
  },
  link(from: Pid, to: Pid): void {
    const target = table.lookup(to);
    if (!target) {
      // As through a link that broke at once: the linker drops its half of the link.
      routeRemote(from.node, { kind: 'exit', from: to, to: from, reason: 'noproc', viaLink: true });
      return;
    }
    target.links.set(pidKey(from), from);
  },
  unlink(from: Pid, to: Pid): void {
    table.lookup(to)?.links.delete(pidKey(from));
  },
  exit(from: Pid, to: Pid, reason: unknown, viaLink: boolean): void {
    exitSignal(from, to, reason, viaLink);
  },
  monitor(from: Pid, to: Pid | string, ref: Ref): void {
    const object: Pid | RemoteName = typeof to === 'string' ? { name: to, node: localNode.name } : to;
    const target = typeof to === 'string' ? table.whereisProc(to) : table.lookup(to);
    if (!target) {
      routeRemote(from.node, { kind: 'down', to: from, ref, object, reason: 'noproc' });
      return;
    }
    target.monitoredBy.set(refKey(ref), { ref, watcher: from, object });
  },
  demonitor(to: Pid | string, ref: Ref): void {
    const target = typeof to === 'string' ? table.whereisProc(to) : table.lookup(to);
    target?.monitoredBy.delete(refKey(ref));
  },
  down(to: Pid, ref: Ref, object: Pid | RemoteName, reason: unknown): void {
    deliverDown(to, ref, object, reason);
  },
  /**
   * The connection to `node` is gone: local processes linked to its processes get
   * exit signals and monitors on them fire, both with reason `noconnection`.
   */
  nodeDown(node: NodeName): void {
    for (const proc of [...table.all()]) {
      if (!proc.alive) continue;
      for (const [key, held] of [...proc.monitors]) {
        if (held.node !== node) continue;
        proc.monitors.delete(key);
        proc.mailbox.put({ type: 'DOWN', ref: held.ref, kind: 'process', object: held.object, reason: 'noconnection' });
      }
      for (const [key, watcher] of [...proc.monitoredBy]) if (watcher.watcher.node === node) proc.monitoredBy.delete(key);
      for (const other of [...proc.links.values()]) {
        if (other.node === node) exitSignal(other, proc.pid, 'noconnection', true);
      }
    }
  },
};
