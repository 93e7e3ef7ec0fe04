import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each test file is its own OS process, so each can be a node of its own.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    setupFiles: ['test/support/perFileEpmd.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: two files at once keeps timing-sensitive tests honest.
    maxWorkers: 2,
  },
});
