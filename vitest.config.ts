import { statSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Which code the stage tests run: the learner's exercises/ (default), solutions/, or
// a wrong variant materialised by `npm run verify` in .variant/, chosen by
// DISTSYS_TARGET through the `#stage/*` imports map of package.json.
const chosen = process.env.DISTSYS_TARGET;
const target = chosen === 'solutions' || chosen === 'variant' ? [chosen] : [];

/**
 * A wrong variant's run (npm run verify) stops at its first failure, which must name the mistake.
 * vitest starts first the files that failed in its previous run, so which test fails first would
 * depend on the variant verified before: here the files go in vitest's order for files it has no
 * history of, the largest first, whatever ran before.
 */
class LargestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const size = (f: TestSpecification) => statSync(f.moduleId).size;
    return [...files].sort((a, b) => size(b) - size(a));
  }
}

export default defineConfig({
  resolve: { conditions: [...target, 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: [...target, 'module', 'node', 'development|production'] } },
  test: {
    ...(chosen === 'variant' ? { sequence: { sequencer: LargestFirst } } : {}),
    // Each test file is its own OS process, so each can be a node of its own.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    setupFiles: ['test/support/perFileEpmd.ts', 'test/support/perFileStorage.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: two files at once keeps timing-sensitive tests honest.
    maxWorkers: 2,
  },
});
