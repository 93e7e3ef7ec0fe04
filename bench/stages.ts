// Each stage's test time against solutions/: the wall time of
// `DISTSYS_TARGET=solutions npm test -- exerciseN`, what an attendee waits for on
// a green run (vitest's start included), through the runner `npm run verify` uses.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, type Figure } from './figures.ts';
import { runStageTests } from '../tools/stageTests.ts';
import { LocalCluster } from '../lib/cluster/localCluster.ts';

const TEST = fileURLToPath(new URL('../test/', import.meta.url));

export async function stageFigures(runs = 3): Promise<Figure[]> {
  // The bench's earlier parts started the harness's own storage in this process and pointed
  // DISTSYS_STORAGE_URL at it; the stage tests start theirs, as they do for an attendee (a storage
  // given from outside, a Redis say, stays theirs to use).
  const ours = await LocalCluster.storageProcess();
  const given = process.env.DISTSYS_STORAGE_URL;
  if (ours && given === ours.url) delete process.env.DISTSYS_STORAGE_URL;
  try {
    return await timeStages(runs);
  } finally {
    if (given !== undefined) process.env.DISTSYS_STORAGE_URL = given;
  }
}

async function timeStages(runs: number): Promise<Figure[]> {
  const stages = readdirSync(TEST).filter((d) => /^exercise\d+-/.test(d)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const figures: Figure[] = [];
  for (const stage of stages) {
    const times: number[] = [];
    let failed = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const run = await runStageTests('solutions', [`test/${stage}`]);
      times.push((performance.now() - t0) / 1000);
      failed += run.rows.filter((row) => !row.passed).length;
    }
    figures.push({
      key: `stage:${stage}`,
      label: `${stage}: npm test against solutions/`,
      unit: 's',
      lowerIsBetter: true,
      kit: median(times),
      ...(failed ? { note: `${failed} failed` } : {}),
    });
  }
  return figures;
}
