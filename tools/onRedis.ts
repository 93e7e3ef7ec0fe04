// `npm run test:redis -- <vitest args>`: runs tests with the storage on a real
// Redis instead of the embedded one: starts a redis-server of its own (a free
// port, a password, nothing persisted), points DISTSYS_STORAGE_URL at it, runs
// vitest, and stops it. CI runs the stages that use the storage this way too.
import { execa } from 'execa';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { redisUnavailable, startRedis } from '../test/support/redisServer.ts';

const why = redisUnavailable();
if (why) {
  process.stderr.write(`test:redis: ${why}\n`);
  process.exit(2);
}
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const redis = await startRedis();
let code = 1;
try {
  process.stdout.write(`the storage is a redis-server on port ${redis.port}\n`);
  const run = await execa(process.execPath, [VITEST, 'run', ...process.argv.slice(2)], {
    stdio: 'inherit',
    reject: false,
    env: { DISTSYS_STORAGE_URL: redis.url },
  });
  code = run.exitCode ?? 1;
} finally {
  await redis.stop();
}
process.exit(code);
