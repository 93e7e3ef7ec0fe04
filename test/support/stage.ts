// What every stage's tests share: the stage's modules (from exercises/,
// solutions/ or a wrong variant, whichever DISTSYS_TARGET picks), clusters that
// are torn down after each file, waits that fail in the learner's words, a
// trace of what happened between the nodes when a test fails (the line under
// every failure that says where the lesson explains it: nextLine.ts).
import { afterAll, afterEach, beforeEach, vi } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { Node } from '../../lib/index.ts';
import { LocalCluster, Trace } from '../../lib/cluster/index.ts';
import { aliveOf } from '../../lib/nodeName.ts';
import type { NodeName } from '../../lib/index.ts';
import { traceNotice } from './tracePage.ts';
import { shortStage } from '../../tools/lessons.ts';

/** The stage a test file belongs to: `exercise1-connect` for test/exercise1-connect/…. */
const stageOfFile = (file: string | undefined): string | undefined => /(exercise\d+-[a-z0-9-]+)\//.exec(file ?? '')?.[1];

/**
 * A failure that waiting cannot change (the process crashed, the answer is final):
 * `eventually` fails with it at once instead of waiting out its bound.
 */
export class Verdict extends Error {
  override name = 'Verdict';
}

/** The specifier of a stage module, as child nodes and rpc resolve it: `#stage/exercise1-connect/pingPong.ts`. */
export const stageModule = (path: string): string => `#stage/${path}`;

/** A node's short label for messages: `ping-pong1` for `ping-pong1@host`, `manager` for this node. */
export const label = (node: NodeName): string => (node === Node.self() ? 'manager' : aliveOf(node));

/**
 * Reads a value until it equals `expected` (deeply and strictly) or `timeoutMs`
 * passes; then fails with `explain(lastValue)`, which says what is wrong in the
 * stage's terms. A `Verdict` thrown by `read` fails at once.
 */
export async function eventually<T>(read: () => Promise<T> | T, expected: T, explain: (actual: T | undefined) => string, timeoutMs = 5_000): Promise<void> {
  let actual: T | undefined;
  let lastError: Error | undefined;
  let verdict: Verdict | undefined;
  try {
    await vi.waitFor(
      async () => {
        if (verdict) return;
        try {
          actual = await read();
          lastError = undefined;
        } catch (err) {
          if (err instanceof Verdict) {
            verdict = err;
            return;
          }
          lastError = err as Error;
          throw err;
        }
        if (!isDeepStrictEqual(actual, expected)) throw new Error('not yet');
      },
      { timeout: timeoutMs, interval: 50 },
    );
    if (verdict) throw verdict;
    return;
  } catch (err) {
    if (err === verdict) throw err;
    // out of time: fail below, in the stage's words
  }
  if (lastError) throw new Error(`${explain(actual)}\n(the last attempt failed: ${lastError.message})`);
  // The loop's own verdict stands (no looser comparison here); vitest shows actual and expected as a diff.
  throw Object.assign(new Error(explain(actual)), { actual, expected });
}

/** The failure a trace page shows above its story: the first error's message, without the line that points to the lesson. */
const failureOf = (errors: readonly { message?: string }[] | undefined): string | undefined =>
  errors?.[0]?.message
    ?.split(/\r?\n/)
    .filter((line) => !line.startsWith('Next: '))
    .join('\n')
    .trim() || undefined;

/** Records traces during each test of the file and writes one to traces/ for each failing test. */
export function traceFailures(): void {
  // Two tests whose names begin alike (one scenario run twice, say, with faults the second time)
  // get one file each: the second name takes a number rather than overwrite the first's trace.
  const named = new Set<string>();
  const unique = (name: string): string => {
    let candidate = name;
    for (let n = 2; named.has(candidate); n++) candidate = `${name} ${n}`;
    named.add(candidate);
    return candidate;
  };
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
    // A test that failed before any node sent anything (a starter's master that a probe in this
    // process found wanting, say) has no story to draw: no page is named for it.
    const events = await Trace.collect();
    if (events.length === 0) return;
    const stage = stageOfFile(context.task.file?.name) ?? 'stage';
    // A short name, the stage and the first words of the test's: the reporter lists the files after the results.
    const file = await Trace.write(unique(`${shortStage(stage)} ${context.task.name.slice(0, 48).replace(/\W+\w*$/, '')}`), events);
    const about = { title: `${stage}: ${context.task.name}`, failure: failureOf(context.task.result.errors) };
    context.task.meta.trace = traceNotice(file, about);
  });
  afterAll(() => LocalCluster.stopNodes());
}
