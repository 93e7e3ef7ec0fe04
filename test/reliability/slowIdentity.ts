// Stage 3's identity job, slowed down: each map job spins for a few
// milliseconds, so that a job lasts long enough for the reliability test to
// kill things in the middle of it. The output is the identity job's.
import { map as identityMap, reduce } from '#stage/exercise3-map-reduce/identity.ts';
import type { Pair } from '#stage/exercise3-map-reduce/job.ts';

const MAP_MS = 15;

export function map(chunk: string): Array<Pair<number>> {
  const until = Date.now() + MAP_MS;
  while (Date.now() < until) {
    // a map job that takes some time, as real ones do
  }
  return identityMap(chunk);
}

export { reduce };
