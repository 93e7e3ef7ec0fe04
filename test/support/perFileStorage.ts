// Test files run two at a time, each as if it had a storage of its own: with the
// embedded store each file's cluster starts one, but `npm run test:redis` points
// every file at one redis-server, and a file that empties the storage between
// its tests (stage 4's) would empty it under a job another file is running
// (stage 3's evidence and outputs vanished mid-job that way). So each file
// takes the Redis database numbered after its vitest worker (no two files that
// run at the same time share one) and empties it before its first test, as a
// fresh embedded store would be. A URL that names a database already is left alone.
import { STORAGE_URL_ENV } from '../../lib/storage/protocol.ts';
import { Storage } from '../../lib/index.ts';

const url = process.env[STORAGE_URL_ENV];
if (url?.startsWith('redis') && new URL(url).pathname.replace('/', '') === '') {
  const database = Number(process.env.VITEST_POOL_ID ?? '0');
  const own = new URL(url);
  own.pathname = `/${database}`;
  process.env[STORAGE_URL_ENV] = own.href;
  await Storage.connect(own.href).flush();
}
