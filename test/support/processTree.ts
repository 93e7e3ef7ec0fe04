// The processes a command started, seen through ps: for tests that check a
// command leaves nothing running after it stops.
import { execFileSync } from 'node:child_process';

/** Every process below `root` now (its children, theirs, and so on). */
export function descendants(root: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = table.filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Alive and not a zombie waiting to be reaped. */
export function running(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

/** `pid command line` for each of `pids` still running, for a failure message. */
export function described(pids: number[]): string[] {
  return pids.filter(running).map((pid) => {
    try {
      return `${pid} ${execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim().slice(0, 160)}`;
    } catch {
      return String(pid);
    }
  });
}
