// Each stage's test time against solutions/ (what an attendee waits for on a
// green run), from the same runner `npm run verify` uses.
import { runStageTests } from '../tools/stageTests.ts';
import type { Figure } from './figures.ts';

export async function stageFigures(): Promise<Figure[]> {
  const run = await runStageTests('solutions');
  const perStage = new Map<string, number>();
  for (const [file, ms] of run.fileDurations) {
    const stage = file.split('/')[1] ?? file;
    perStage.set(stage, (perStage.get(stage) ?? 0) + ms);
  }
  const failed = run.rows.filter((r) => !r.passed).length;
  return [...perStage].sort(([a], [b]) => a.localeCompare(b)).map(([stage, ms]) => ({
    key: `stage:${stage}`,
    label: `${stage}: its tests against solutions/`,
    unit: 's' as const,
    lowerIsBetter: true,
    kit: ms / 1000,
    ...(failed ? { note: `${failed} failed` } : {}),
  }));
}
