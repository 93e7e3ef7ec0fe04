// The order in which vitest starts test files: its own (files that failed last
// time first, then the longest), except that stage files go stage by stage. So
// an attendee's `npm test -- exercise` and `npm run grade` finish stage 1 first
// and can show it while the later stages still run.
//
// A wrong variant's run (npm run verify, DISTSYS_TARGET=variant) stops at its first failure, which
// must name the mistake. vitest's own order starts the files that failed in its previous run first,
// so which test fails first would depend on the variant verified before: there the files of a stage
// go largest first, whatever ran before.
import { statSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { stageNumber, stageOfTestFile } from './lessons.ts';

const stageRank = (spec: TestSpecification): number => {
  const stage = stageOfTestFile(spec.moduleId);
  return stage ? stageNumber(stage) : Number.POSITIVE_INFINITY;
};

export class StageSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = process.env.DISTSYS_TARGET === 'variant' ? largestFirst(files) : await super.sort(files);
    // A stable sort: within a stage (and among the files of no stage) vitest's order stands.
    return sorted.map((spec, i) => ({ spec, i, rank: stageRank(spec) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map(({ spec }) => spec);
  }
}

function largestFirst(files: TestSpecification[]): TestSpecification[] {
  const size = (f: TestSpecification) => statSync(f.moduleId).size;
  return [...files].sort((a, b) => size(b) - size(a));
}
