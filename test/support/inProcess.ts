// Runs a test body as a fresh process, so each test has its own mailbox and
// nothing one test left behind reaches the next.
import { spawn } from '../../lib/index.ts';

export function inProcess<T>(body: () => Promise<T> | T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    spawn(async () => {
      try {
        resolve(await body());
      } catch (err) {
        reject(err);
      }
    });
  });
}
