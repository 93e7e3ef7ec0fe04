// The word count of stage 3 over the shipped corpus (about 1 MB), on a master
// in this process and workers on 3 nodes, against the same count in one
// process: a plain loop, and the same map and reduce run one after the other.
// Uses solutions/ (and the worker nodes run it), so it measures the kit, not a learner's code.
import { Node } from '../lib/index.ts';
import { LocalCluster } from '../lib/cluster/index.ts';
import { corpus } from '#stage/exercise3-map-reduce/corpus.ts';
import * as wordCount from '../solutions/exercise3-map-reduce/wordCount.ts';
import { runLocally } from '#stage/exercise3-map-reduce/steps.ts';
import { startMaster } from '../solutions/exercise3-map-reduce/master.ts';
import { mapReduce } from '#stage/exercise3-map-reduce/mapReduce.ts';

const SOLUTIONS = new URL('../solutions/exercise3-map-reduce/', import.meta.url);
const MAP_JOBS = 12;
const REDUCE_JOBS = 4;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function plainCount(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{Nd}]+/u)) if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Prints the medians over `runs` runs of each way to count. The caller's node must be started. */
export async function benchWordCount(runs: number): Promise<void> {
  const text = corpus();
  const plainMs: number[] = [];
  const localMs: number[] = [];
  let expected = new Map<string, number>();
  for (let r = 0; r < runs; r++) {
    let t0 = performance.now();
    expected = plainCount(text);
    plainMs.push(performance.now() - t0);
    t0 = performance.now();
    runLocally(wordCount, text, MAP_JOBS);
    localMs.push(performance.now() - t0);
  }

  const nodes = await LocalCluster.startNodes('wc', 3, {
    storage: true,
    boot: '#stage/exercise3-map-reduce/worker.ts',
    env: { DISTSYS_TARGET: 'solutions', MAPREDUCE_MASTER: Node.self() },
  });
  const clusterMs: number[] = [];
  try {
    await startMaster();
    const app = new URL('wordCount.ts', SOLUTIONS).href;
    // One run first, not counted: the workers load the application and warm up.
    for (let r = 0; r <= runs; r++) {
      const t0 = performance.now();
      const result = await mapReduce({ name: `bench-wc-${process.pid}-${r}`, app, mapJobs: MAP_JOBS, reduceJobs: REDUCE_JOBS }, text);
      if (r > 0) clusterMs.push(performance.now() - t0);
      const got = new Map(result as Array<[string, number]>);
      if (got.size !== expected.size || [...expected].some(([w, n]) => got.get(w) !== n)) throw new Error('the cluster counted differently from the plain count');
    }
  } finally {
    await LocalCluster.stopNodes(nodes);
  }
  const kb = Math.round(Buffer.byteLength(text) / 1024);
  console.log(`word count, ${kb} KB corpus, one process:   plain loop ${median(plainMs).toFixed(0)} ms, map+reduce ${median(localMs).toFixed(0)} ms (medians of ${runs})`);
  console.log(
    `word count, 3 worker nodes (${MAP_JOBS} map, ${REDUCE_JOBS} reduce jobs): median ${median(clusterMs).toFixed(0)} ms, ${(median(clusterMs) / median(plainMs)).toFixed(1)}x the plain loop`,
  );
}
