// What every stage's tests share: the stage's modules (from exercises/ or
// solutions/, whichever DISTSYS_TARGET picks), clusters that are torn down after
// each file, waits that fail in the learner's words, and a trace of what
// happened between the nodes when a test fails.
import { afterAll, afterEach, beforeEach, expect, vi } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { Node } from '../../lib/index.ts';
import { LocalCluster, Trace } from '../../lib/cluster/index.ts';
import type { NodeName } from '../../lib/index.ts';
import { nameTraceFiles } from './tracePage.ts';

/** The specifier of a stage module, as child nodes and rpc resolve it: `#stage/exercise1-connect/pingPong.ts`. */
export const stageModule = (path: string): string => `#stage/${path}`;

/** A node's short label for messages: `ping-pong1` for `ping-pong1@host`, `manager` for this node. */
export const label = (node: NodeName): string => (node === Node.self() ? 'manager' : (node.split('@')[0] ?? node));

/**
 * Reads a value until it equals `expected` (deeply) or `timeoutMs` passes; then
 * fails with `explain(lastValue)`, which says what is wrong in the stage's terms.
 */
export async function eventually<T>(read: () => Promise<T> | T, expected: T, explain: (actual: T | undefined) => string, timeoutMs = 5_000): Promise<void> {
  let actual: T | undefined;
  let lastError: Error | undefined;
  try {
    await vi.waitFor(
      async () => {
        try {
          actual = await read();
          lastError = undefined;
        } catch (err) {
          lastError = err as Error;
          throw err;
        }
        if (!isDeepStrictEqual(actual, expected)) throw new Error('not yet');
      },
      { timeout: timeoutMs, interval: 50 },
    );
    return;
  } catch {
    // out of time: fail below, in the stage's words
  }
  if (lastError) throw new Error(`${explain(actual)}\n(the last attempt failed: ${lastError.message})`);
  expect(actual, explain(actual)).toEqual(expected);
}

/** Records traces during each test of the file and writes one to traces/ for each failing test. */
export function traceFailures(): void {
  beforeEach(async () => {
    if (!Node.alive()) return;
    await Trace.start();
    await Trace.collect(); // start each test's trace empty (no events of the previous test's teardown)
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !Node.alive()) {
      if (Node.alive()) await Trace.collect(); // drop this test's events
      return;
    }
    const stage = /(exercise\d+[^/]*)\//.exec(context.task.file?.name ?? '')?.[1] ?? 'stage';
    const file = await Trace.write(`${stage} ${context.task.name}`);
    process.stderr.write(`\nwhat happened between the nodes during "${context.task.name}": ${nameTraceFiles(file)}\n`);
  });
  afterAll(() => LocalCluster.stopNodes());
}
