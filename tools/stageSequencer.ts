// The order in which vitest starts test files: its own (files that failed last
// time first, then the longest), except that stage files go stage by stage. So
// an attendee's `npm test -- exercise` and `npm run grade` finish stage 1 first
// and can show it while the later stages still run.
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { stageNumber, stageOfTestFile } from './lessons.ts';

const stageRank = (spec: TestSpecification): number => {
  const stage = stageOfTestFile(spec.moduleId);
  return stage ? stageNumber(stage) : Number.POSITIVE_INFINITY;
};

export class StageSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // A stable sort: within a stage (and among the files of no stage) vitest's order stands.
    return sorted.map((spec, i) => ({ spec, i, rank: stageRank(spec) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map(({ spec }) => spec);
  }
}
