// Every file of a stage stands in one place, and an import reaches the same file under
// every target (tools/stageFiles.ts, which npm run verify runs too): here without
// running verify, on the kit itself and on a small kit made of each mistake.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../../tools/lessons.ts';
import { stageFileProblems, stageFiles } from '../../tools/stageFiles.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const STAGE = 'exercise9-demo';
const PATTERN = { solutions: './solutions/*', variant: './.variant/*', default: './exercises/*' };

/** A kit of one stage, well formed: a learner file (app.ts), a given file (server.ts) that boots it, a lesson. */
function kit(change: (files: Record<string, string>, imports: Record<string, unknown>) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), 'distsys-stage-files-'));
  made.push(root);
  const files: Record<string, string> = {
    [`exercises/${STAGE}/README.md`]: '# the lesson\n',
    [`exercises/${STAGE}/HINTS.md`]: '# the hints\n',
    [`exercises/${STAGE}/app.ts`]: `import { serve } from '#stage/${STAGE}/server.ts';\nexport const app = () => { /* TODO */ };\nvoid serve;\n`,
    [`solutions/${STAGE}/app.ts`]: `import { serve } from '#stage/${STAGE}/server.ts';\nexport const app = () => serve();\n`,
    [`exercises/${STAGE}/server.ts`]: `import type { app } from '#stage/${STAGE}/app.ts';\nimport { port } from './port.ts';\nexport const serve = (): number => port;\nexport type App = typeof app;\n`,
    [`exercises/${STAGE}/port.ts`]: 'export const port = 4000;\n',
  };
  const imports: Record<string, unknown> = {
    [`#stage/${STAGE}/port.ts`]: `./exercises/${STAGE}/port.ts`,
    [`#stage/${STAGE}/server.ts`]: `./exercises/${STAGE}/server.ts`,
    '#stage/*': PATTERN,
  };
  change(files, imports);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'kit', imports }));
  return root;
}

describe('the stages of the kit', () => {
  it('have every file in one place, a key for each given file and none for a learner file, and imports that reach the same file under every target', () => {
    expect(stageFileProblems(ROOT)).toEqual([]);
  });

  it('tell learner files (solved in solutions/) from given ones (in exercises/ alone)', () => {
    const shortener = stageFiles(ROOT).find((s) => s.stage === 'exercise4-link-shortener');
    expect(shortener?.learner).toEqual(['cluster.ts', 'linkManager.ts']);
    expect(shortener?.given).toContain('http.ts');
  });
});

describe('the check of where stage files stand', () => {
  it('passes a well-formed stage', () => {
    expect(stageFileProblems(kit())).toEqual([]);
  });

  it('finds a lesson, or a given file, copied into solutions/', () => {
    const problems = stageFileProblems(
      kit((files) => {
        files[`solutions/${STAGE}/README.md`] = '# the lesson\n';
        files[`solutions/${STAGE}/port.ts`] = 'export const port = 4000;\n';
      }),
    );
    expect(problems.join('\n')).toMatch(/solutions\/exercise9-demo\/README\.md: solutions\/ holds only the solved versions/);
    expect(problems.join('\n')).toMatch(/solutions\/exercise9-demo\/port\.ts is the same as exercises\/exercise9-demo\/port\.ts/);
  });

  it('finds a solution with no starter, a solved stage that is no stage, and a stage with no hints', () => {
    const problems = stageFileProblems(
      kit((files) => {
        files[`solutions/${STAGE}/extra.ts`] = 'export {};\n';
        files['solutions/exercise8-gone/app.ts'] = 'export {};\n';
        delete files[`exercises/${STAGE}/HINTS.md`];
      }),
    );
    expect(problems.join('\n')).toMatch(/solutions\/exercise9-demo\/extra\.ts has no starter/);
    expect(problems.join('\n')).toMatch(/solutions\/exercise8-gone is no stage of exercises\//);
    expect(problems.join('\n')).toMatch(/exercises\/exercise9-demo\/HINTS\.md is missing/);
  });

  it('finds a given file without its key, a learner file with one, and a key that points elsewhere or at nothing', () => {
    const problems = stageFileProblems(
      kit((_files, imports) => {
        delete imports[`#stage/${STAGE}/port.ts`];
        imports[`#stage/${STAGE}/app.ts`] = `./exercises/${STAGE}/app.ts`;
        imports[`#stage/${STAGE}/server.ts`] = `./solutions/${STAGE}/server.ts`;
        imports[`#stage/${STAGE}/gone.ts`] = `./exercises/${STAGE}/gone.ts`;
        imports['#stage/exercise7-nowhere/x.ts'] = './exercises/exercise7-nowhere/x.ts';
      }),
    );
    const text = problems.join('\n');
    expect(text).toMatch(/exercises\/exercise9-demo\/port\.ts is given but package\.json's imports has no "#stage\/exercise9-demo\/port\.ts"/);
    expect(text).toMatch(/has "#stage\/exercise9-demo\/app\.ts", but the learner solves app\.ts/);
    expect(text).toMatch(/maps "#stage\/exercise9-demo\/server\.ts" to "\.\/solutions\/exercise9-demo\/server\.ts"/);
    expect(text).toMatch(/has "#stage\/exercise9-demo\/gone\.ts", but exercises\/exercise9-demo\/gone\.ts does not exist/);
    expect(text).toMatch(/"#stage\/exercise7-nowhere\/x\.ts", which names no stage/);
  });

  it('finds a given file that imports a learner file by a relative path, and a learner file that imports a given one so', () => {
    const problems = stageFileProblems(
      kit((files) => {
        files[`exercises/${STAGE}/server.ts`] = `import type { app } from './app.ts';\nexport type App = typeof app;\nexport const serve = (): number => 1;\n`;
        files[`solutions/${STAGE}/app.ts`] = `import { serve } from './server.ts';\nexport const app = () => serve();\n`;
      }),
    );
    const text = problems.join('\n');
    expect(text).toMatch(/exercises\/exercise9-demo\/server\.ts \(given\) imports the learner's app\.ts by the relative path \.\/app\.ts, which is always the starter/);
    expect(text).toMatch(/solutions\/exercise9-demo\/app\.ts imports the given server\.ts by the relative path \.\/server\.ts/);
  });

  it('finds an import of a stage file that does not exist', () => {
    const problems = stageFileProblems(kit((files) => (files[`exercises/${STAGE}/app.ts`] = `import '#stage/${STAGE}/nothing.ts';\nexport const app = () => 0;\n`)));
    expect(problems.join('\n')).toMatch(/exercises\/exercise9-demo\/app\.ts imports #stage\/exercise9-demo\/nothing\.ts, which is no file of exercises\//);
  });
});
