// A reporter for the kit's own scripts (npm run grade): one line on stdout when
// the run starts (the files it will run) and one per test file as it ends (its
// tests and their states), which tools/stageTests.ts reads while the run goes
// on, so the script can show each stage as soon as its files are done.
import type { Reporter, TestModule, TestSpecification } from 'vitest/node';
import { PROGRESS_PREFIX, type ProgressEvent } from './progressEvents.ts';

const emit = (event: ProgressEvent) => process.stdout.write(`${PROGRESS_PREFIX}${JSON.stringify(event)}\n`);

export default class ProgressReporter implements Reporter {
  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    emit({ kind: 'planned', files: specifications.map((s) => s.moduleId) });
  }

  onTestModuleEnd(module: TestModule): void {
    emit({ kind: 'file', file: module.moduleId, tests: [...module.children.allTests()].map((t) => ({ title: t.name, state: t.result().state })) });
  }
}
