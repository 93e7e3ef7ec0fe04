// Under the message of every failing stage test, whatever its file imports:
// "Next: <stage>, <problem>. Read <lesson> or ask for a hint: <command>".
// A setup file of every test file (vitest.config.ts), so a stage test that
// needs no cluster (stage 3's word count, stage 5's G-Counter) says it too.
import { beforeEach } from 'vitest';
import { nextLine, problemOf, stageOfTestFile } from '../../tools/lessons.ts';

beforeEach((context) => {
  context.onTestFailed(({ task }) => {
    const stage = stageOfTestFile(task.file?.filepath ?? task.file?.name);
    const problem = problemOf(task.name);
    if (!stage || !problem) return;
    const line = nextLine(stage, problem);
    for (const error of task.result?.errors ?? []) {
      if (!error.message?.includes(line)) error.message = `${error.message ?? ''}\n${line}`;
    }
  });
});
