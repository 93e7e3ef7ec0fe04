import { defineConfig } from 'vitest/config';
import { StageSequencer } from './tools/stageSequencer.ts';

// Which code the stage tests run: the learner's exercises/ (default), solutions/, or
// a wrong variant materialised by `npm run verify` in .variant/, chosen by
// DISTSYS_TARGET through the `#stage/*` imports map of package.json.
const chosen = process.env.DISTSYS_TARGET;
const target = chosen === 'solutions' || chosen === 'variant' ? [chosen] : [];

export default defineConfig({
  resolve: { conditions: [...target, 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: [...target, 'module', 'node', 'development|production'] } },
  test: {
    // Each test file is its own OS process, so each can be a node of its own.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    setupFiles: ['test/support/perFileEpmd.ts', 'test/support/perFileStorage.ts', 'test/support/nextLine.ts'],
    // vitest's report, in lesson order, then what the workshop adds: a filter that matches
    // nothing fails, the traces of failing tests, the room, and the problem to start with.
    reporters: ['./tools/stageReporter.ts'],
    sequence: { sequencer: StageSequencer },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: two files at once keeps timing-sensitive tests honest.
    maxWorkers: 2,
  },
});
