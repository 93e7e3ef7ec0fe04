// What an attendee sees at the end of `npm test -- exerciseN`, on the starter
// code, through vitest's real command line: a filter that matches nothing
// fails with the stage's problems (a typo never looks green), an unknown stage
// fails with the list of stages, and a red run shows its failures in lesson
// order (stage 1's warm-up first, each with its Next line), then the traces in
// a few short lines, then the room's line (when the attendee joined one, which
// then holds their results), and last one line: the problem to start with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openRoom, type Room } from '../../apps/room/index.ts';
import { ROOT } from '../../tools/lessons.ts';
import { runStageTests, type Progress } from '../../tools/stageTests.ts';

const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const TRACES = mkdtempSync(join(tmpdir(), 'distsys-reporter-traces-'));
afterAll(() => rmSync(TRACES, { recursive: true, force: true }));

/** vitest as an attendee runs it (npm test -- ARGS), against the starter, with nothing of this test run's environment but PATH and HOME. */
async function attendeeRun(args: string[], env: Record<string, string> = {}) {
  const run = await execa(process.execPath, [VITEST, 'run', ...args], {
    cwd: ROOT,
    reject: false,
    all: true,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: tmpdir(), NO_COLOR: '1', DISTSYS_LOG_LEVEL: 'error', DISTSYS_TRACE_DIR: TRACES, ...env },
  });
  return { code: run.exitCode, out: run.all ?? '', lines: (run.all ?? '').trimEnd().split('\n') };
}

describe("the attendee's report", () => {
  it('a -t filter that matches no test fails, and lists the problems of the stage', async () => {
    const run = await attendeeRun(['exercise1', '-t', 'warmup']);
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain('No test\'s name matches -t "warmup", so nothing ran: this run fails, so that a typo cannot pass for green.');
    expect(run.out).toContain('The problems of exercise1-connect: "warm-up", "problem 1", "problem 2"; for instance npm test -- exercise1 -t "warm-up"');
  });

  it('a stage that does not exist fails, and lists the stages', async () => {
    const run = await attendeeRun(['exercise9']);
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain('No stage\'s tests match "exercise9". The stages: exercise1, exercise2, exercise3, exercise4, exercise5; for instance npm test -- exercise1');
  });

  describe('a red run, with a room', () => {
    let room: Room;
    beforeAll(async () => {
      room = await openRoom({ addresses: () => [] });
    });
    afterAll(() => room?.close());

    it('shows the failures in lesson order, then the traces, the room, and last the problem to start with', async () => {
      const run = await attendeeRun(['exercise1', '-t', 'warm-up: isUp is true|problem 1: a ping from each'], { DISTSYS_ROOM: room.url, DISTSYS_ROOM_NAME: 'Ada' });
      expect(run.code, run.out).toBe(1);
      // The failures: the warm-up's first (its file ends first or last, whichever), each followed by its Next line.
      const warmUp = run.out.indexOf('FAIL  test/exercise1-connect/firstSteps.test.ts');
      const pingPong = run.out.indexOf('FAIL  test/exercise1-connect/pingPong.test.ts');
      expect(warmUp, run.out).toBeGreaterThan(-1);
      expect(pingPong, run.out).toBeGreaterThan(warmUp);
      expect(run.out.slice(warmUp, pingPong)).toContain('Next: exercise1-connect, warm-up. Read exercises/exercise1-connect/README.md#warm-up-first-steps');
      expect(run.out.slice(pingPong)).toContain('Next: exercise1-connect, problem 1. Read exercises/exercise1-connect/README.md#problem-1-broadcast');
      // After vitest's summary: the trace of the cluster test, short; the room; the line to start with, last.
      const summary = run.out.lastIndexOf('Test Files');
      const traces = run.out.indexOf('What happened between the nodes during the failing test (open in a browser; the .jsonl beside each has the events):');
      expect(traces, run.out).toBeGreaterThan(summary);
      const traceLine = run.lines.find((l) => /^ {2}problem 1 {2}\S+\.html$/.test(l));
      expect(traceLine, run.out).toMatch(/exercise1_problem_1_a_ping_from_each_of_three_producers\.html$/);
      expect(run.out.indexOf('Sent to the room at 127.0.0.1:')).toBeGreaterThan(traces);
      expect(run.lines.at(-1)).toBe(
        'Start with exercise1-connect, warm-up: read "Warm-up: first steps" in exercises/exercise1-connect/README.md#warm-up-first-steps; stuck? npm run hint -- exercise1 "warm-up"',
      );
      // The room holds Ada's results: two red problems, with the first line of each first failure.
      const ada = room.roster.view();
      expect(ada.attendees).toMatchObject([{ name: 'Ada', stage: 'exercise1-connect', problem: 'warm-up' }]);
      const red = ada.problems.filter((p) => p.red > 0).map((p) => [p.problem, p.top?.headline]);
      expect(red).toEqual([
        ['warm-up', expect.stringMatching(/isUp\(chris\) should be true/)],
        ['problem 1', expect.stringMatching(/^the producer on manager sent its first ping/)],
      ]);
    });
  });
});

describe("grade's progress", () => {
  it('tells of the files a run will run, then of each file as it ends, before the run is over', async () => {
    const told: Array<Progress & { runOver: boolean }> = [];
    let over = false;
    const run = await runStageTests('exercises', ['test/exercise1-connect/'], { discardTraces: true, onProgress: (p) => told.push({ ...p, runOver: over }) }).finally(() => (over = true));
    expect(told.map((p) => p.kind)).toEqual(['planned', 'file', 'file']);
    expect(told[0]).toMatchObject({ files: expect.arrayContaining(['test/exercise1-connect/firstSteps.test.ts', 'test/exercise1-connect/pingPong.test.ts']) });
    expect(told.every((p) => !p.runOver)).toBe(true);
    const rows = told.flatMap((p) => (p.kind === 'file' ? p.rows : []));
    expect(rows.map((r) => `${r.problem} ${r.passed}`).sort()).toEqual(run.rows.map((r) => `${r.problem} ${r.passed}`).sort());
    expect(rows.every((r) => r.stage === 'exercise1-connect')).toBe(true);
  });
});
