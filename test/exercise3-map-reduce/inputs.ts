// The inputs of the cluster tests: numbered lines, and job names no other test uses.
import { stageModule } from '../support/stage.ts';

export const IDENTITY = stageModule('exercise3-map-reduce/identity.ts');

/** `line 1` … `line n`. */
export function numberedLines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `line ${i + 1}`);
}

let jobs = 0;
/** A job name unique to this run, so no test reads another's keys: `crash-a-4711x0`. */
export const jobName = (what: string): string => `${what}-${process.pid}x${jobs++}`;
