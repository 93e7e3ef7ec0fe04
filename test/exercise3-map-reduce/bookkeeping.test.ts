// Stage 3, the master's bookkeeping under repeated, late and stale messages, played
// step by step with puppet workers (puppets.ts): a worker that says `ready` again
// while it holds a task, a report that comes twice, a report from a worker the
// master has taken for dead, a map job's report during the reduce jobs, and a
// report of an earlier job during a later one (two jobs through one master). In a
// real cluster each of these happens: an announcement or a report is sent again
// after a moment's silence, a worker that was only cut off finishes its task and
// reports it after the heal. The master must neither lose a task nor count one
// that is not done.
import { beforeAll, describe, it } from 'vitest';
import { inProcess } from '../support/inProcess.ts';
import { Verdict } from '../support/stage.ts';
import type { Assignment } from '#stage/exercise3-map-reduce/job.ts';
import { jobName } from './inputs.ts';
import { probeMaster } from './probeMaster.ts';
import { Play, type Puppet } from './puppets.ts';

let unusable: string | undefined;
beforeAll(async () => {
  unusable = await probeMaster();
});

const task = (a: Assignment) => `${a.task.kind} job ${a.task.id}`;

/** Runs `script` on a fresh master with puppet workers, and stops them all whatever happens. */
function play(script: (play: Play) => Promise<void>): () => Promise<void> {
  return () =>
    inProcess(async () => {
      if (unusable) throw new Error(unusable);
      const p = await Play.start();
      try {
        await script(p);
      } finally {
        await p.stop();
      }
    });
}

/** The one task `puppet` holds now; fails in the stage's words if it holds none. */
function holds(p: Play, puppet: Puppet, why: string): Assignment {
  const [held] = puppet.holding();
  const hoarder = p.everyWorker().find((other) => other.holding().length > 1);
  if (!held && hoarder) {
    throw new Verdict(
      p.explain(`${puppet.name} holds no task, though ${why}, while ${hoarder.name} was handed ${hoarder.holding().map(task).join(', ')}, all at once: a worker that holds a task gets no other, so that the others get theirs`),
    );
  }
  if (!held) {
    throw new Verdict(
      p.explain(`${puppet.name} holds no task, though ${why}: the master must hand a waiting task to every idle worker that has announced itself (each one a process of its own: several may run on one node)`),
    );
  }
  return held;
}

/** The puppet of `puppets` that holds the task numbered `id`, and the other one. */
function split(puppets: Puppet[], id: number): [Puppet, Puppet] {
  const held = puppets.find((p) => p.holding()[0]?.task.id === id);
  const other = puppets.find((p) => p !== held);
  if (!held || !other) throw new Error(`no puppet holds task ${id}`);
  return [held, other];
}

describe('stage 3: the master, step by step', () => {
  it('problem 1: a worker that says ready again while it holds a task is still busy with it: when it dies, that task goes to another worker', play(async (p) => {
    const [a, b] = p.workers('A', 'B') as [Puppet, Puppet];
    a.ready();
    await p.run({ name: jobName('ready-again'), app: 'none', mapJobs: 3, reduceJobs: 1 });
    await p.settle();
    holds(p, a, 'it announced itself before the job started');
    b.ready();
    await p.settle();
    holds(p, b, 'it announced itself while two map jobs were waiting');
    // A's announcement again: re-sent after a moment's silence, or delivered twice.
    a.ready();
    a.ready();
    await p.settle();
    a.die();
    await p.finish([b]);
  }));

  it('problem 1: a slow worker is not a dead one: however long it takes over its task, it keeps it, and gets the next one when it reports', play(async (p) => {
    p.fakeClock();
    const [a, b] = p.workers('A', 'B') as [Puppet, Puppet];
    a.ready();
    b.ready();
    await p.run({ name: jobName('slow'), app: 'none', mapJobs: 4, reduceJobs: 1 });
    await p.settle();
    holds(p, a, 'it announced itself before the job started');
    holds(p, b, 'it announced itself before the job started');
    // A big chunk, a busy machine: no DOWN comes, so neither worker is gone, and neither will announce itself again.
    await p.passes(15 * 60_000, 'a quarter of an hour passed, A and B still at work on their map jobs');
    await p.finish([a, b]);
  }));

  it('problem 2: a repeated report of a finished task does not free the worker from the task it holds now', play(async (p) => {
    const [a, b] = p.workers('A', 'B') as [Puppet, Puppet];
    a.ready();
    await p.run({ name: jobName('twice'), app: 'none', mapJobs: 3, reduceJobs: 1 });
    await p.settle();
    const first = holds(p, a, 'it announced itself before the job started');
    a.report(first);
    await p.settle();
    holds(p, a, `it reported ${task(first)} done and two map jobs were waiting`);
    a.report(first); // the same report again: a duplicated message
    await p.settle();
    a.die();
    b.ready();
    await p.finish([b]);
  }));

  it('problem 2: a late report from a worker the master has taken for dead neither crashes the master nor counts for anything else', play(async (p) => {
    const [a, b] = p.workers('A', 'B') as [Puppet, Puppet];
    a.ready();
    b.ready();
    await p.run({ name: jobName('stale'), app: 'none', mapJobs: 2, reduceJobs: 1 });
    await p.settle();
    const late = holds(p, a, 'it announced itself before the job started');
    holds(p, b, 'it announced itself before the job started');
    // A is cut off: the master takes it for dead, and its task waits for B. But A runs on, and its report comes after the heal.
    a.die();
    await p.settle();
    a.report(late);
    await p.settle();
    await p.finish([b]);
  }));

  it("problem 2: a map job's late report during the reduce jobs does not count as a reduce job", play(async (p) => {
    const [a, b, c] = p.workers('A', 'B', 'C') as [Puppet, Puppet, Puppet];
    a.ready();
    b.ready();
    await p.run({ name: jobName('phase'), app: 'none', mapJobs: 2, reduceJobs: 2 });
    await p.settle();
    const late = holds(p, a, 'it announced itself before the job started');
    a.die(); // cut off, in truth: it runs on, and its report comes during the reduce jobs
    await p.drive([b], () => b.holding()[0]?.task.kind === 'reduce');
    c.ready();
    await p.settle();
    holds(p, c, 'it announced itself while a reduce job was waiting');
    const [, other] = split([b, c], late.task.id);
    a.report(late);
    other.report(other.holding()[0] as Assignment);
    // A master that counts A's map job as the reduce job of the same number reads the result now, before the worker on it reports.
    await p.settle();
    await p.finish([b, c]);
  }));

  it('problem 2: two jobs through one master: a late report of the first job, during the second, does not count for the second', play(async (p) => {
    const [a, b, c] = p.workers('A', 'B', 'C') as [Puppet, Puppet, Puppet];
    a.ready();
    b.ready();
    await p.run({ name: jobName('first'), app: 'none', mapJobs: 2, reduceJobs: 1 });
    await p.settle();
    const late = holds(p, a, 'it announced itself before the job started');
    a.die(); // cut off, in truth: it runs on, and its report comes during the next job
    await p.finish([b]);
    c.ready();
    await p.run({ name: jobName('second'), app: 'none', mapJobs: 2, reduceJobs: 1 });
    await p.settle();
    holds(p, b, 'the second job started with two map jobs and two idle workers');
    holds(p, c, 'the second job started with two map jobs and two idle workers');
    const [, other] = split([b, c], late.task.id);
    a.report(late);
    other.report(other.holding()[0] as Assignment);
    // A master that counts the first job's report for the second hands out the reduce job now, before the worker on the map job reports.
    await p.settle();
    await p.finish([b, c]);
  }));

  it('problem 2: a repeated report of the first job, during the second, does not free its worker from the task of the same number it holds now', play(async (p) => {
    const [a, b] = p.workers('A', 'B') as [Puppet, Puppet];
    a.ready();
    await p.run({ name: jobName('once'), app: 'none', mapJobs: 1, reduceJobs: 1 });
    await p.settle();
    const first = holds(p, a, 'it announced itself before the job started');
    await p.finish([a]);
    await p.run({ name: jobName('twice'), app: 'none', mapJobs: 2, reduceJobs: 1 });
    await p.settle();
    holds(p, a, 'the second job started with an idle worker');
    // The first job's report of the same map job again (a duplicated message, as the kit's faults make them):
    // it names an earlier job, so it frees A from nothing.
    a.report(first);
    await p.settle();
    a.die();
    b.ready();
    await p.finish([b]);
  }));
});
