#!/usr/bin/env node
// The `distsys` command. The kit is TypeScript: Node.js 22.18+ runs it as it is
// (type stripping); older versions go through tsx's loader.
if (process.features.typescript !== 'strip') {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('../lib/cli/main.ts');
