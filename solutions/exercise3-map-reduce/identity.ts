// The identity job of problem 2: every line of the input is a key, and the
// output must hold every input line exactly once. Its reduce counts the copies
// of a line it was given, so a map job whose output was counted twice shows up
// as a 2, and a reduce job whose output was kept twice as the same line twice.
import type { Pair } from './job.ts';

/** Each non-blank line of the chunk, seen once. */
export function map(chunk: string): Array<Pair<number>> {
  return chunk
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => [line, 1]);
}

/** How many copies of `line` the map jobs produced: 1 when nothing ran twice to ill effect. */
export function reduce(_line: string, copies: number[]): number {
  return copies.reduce((sum, n) => sum + n, 0);
}
