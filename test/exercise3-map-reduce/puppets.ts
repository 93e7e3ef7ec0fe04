// The master's bookkeeping, played by hand: the stage's master runs in the
// test's process, and its workers are puppets the test moves one step at a time
// (announce, report, die, a report that comes late or twice). A puppet runs no
// task: what the master sends it stays in its mailbox, for the test to read.
// After each step the test waits until the master has dealt with every message
// sent so far, so what the master did is known exactly, with no clock involved
// (a test that needs time to pass moves the master's clock on itself).
//
// The test keeps the truth: a task is done once a worker that was handed it
// reports it. A master that hands out a reduce job before every map job of its
// job is done, or reads the result before every reduce job is done, is caught on
// the step that made it do so, and so is a task that no live worker will ever run.
import { vi } from 'vitest';
import { CallError, GenServer, Process, formatReason, isDown, receive, sameRef, send, spawn, type DownMessage, type Pid, type RemoteName, type Storage } from '../../lib/index.ts';
import { startMaster } from '#stage/exercise3-map-reduce/master.ts';
import { mapReduce } from '#stage/exercise3-map-reduce/mapReduce.ts';
import { isAssignment, type Assignment, type Done, type JobSpec, type Pair, type Task } from '#stage/exercise3-map-reduce/job.ts';
import type { Layout } from '#stage/exercise3-map-reduce/layout.ts';
import { Verdict } from '../support/stage.ts';

/** The master deals with a message in microseconds; this bound is for a machine under heavy load. */
const SETTLE_MS = 5_000;
/** The clock's own timers, whatever a test fakes. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export interface Puppet {
  readonly name: string;
  readonly pid: Pid;
  readonly alive: boolean;
  /** Sends `ready`. */
  ready(): void;
  /** Every task it was handed, oldest first (as of the last `settle`). */
  handed(): Assignment[];
  /** The tasks it was handed and has not reported, oldest first. */
  holding(): Assignment[];
  /** Reports a task done: it ran it (or, dead, it did before it was cut off), so the task is done. */
  report(a: Assignment): void;
  /** Kills it: the master's monitor fires. In the story it may only be cut off, and report later. */
  die(): void;
}

interface Report {
  by: string;
  job: string;
  task: Task;
}

/** A task handed to a puppet that held another, and what the master had just been told. */
interface Second {
  puppet: string;
  task: Assignment;
  held: Assignment;
  after: string[];
}

const name = (t: Task) => `${t.kind} job ${t.id}`;
const taskName = (a: { job: { name: string }; task: Task }) => `${name(a.task)} of ${a.job.name}`;
const key = (job: string, t: Task) => `${job}/${t.kind}/${t.id}`;
const same = (a: Assignment, b: Assignment) => a.job.name === b.job.name && a.task.kind === b.task.kind && a.task.id === b.task.id;

export class Play {
  /** What happened, in order, in the stage's words: every failure message ends with it. */
  readonly history: string[] = [];
  private readonly master: RemoteName = { name: 'master', node: '' };
  private masterPid: Pid | undefined;
  private readonly done = new Set<string>();
  private readonly reports: Report[] = [];
  private readonly seconds: Second[] = [];
  private readonly specs = new Map<string, JobSpec>();
  private readonly puppets: Array<Puppet & { notice(): Assignment[] }> = [];
  private running: JobSpec | undefined;
  private resultRead = false;
  private answer: Promise<Pair[] | Error> | undefined;
  /** How long the history was at the last settle: the steps after it are what the master was dealing with. */
  private settled = 0;
  private violation: string | undefined;
  private crash: string | undefined;
  private stopping = false;
  private faked = false;

  /** Starts the stage's master in this process, with a layout that keeps nothing but checks when the result is read. */
  static async start(): Promise<Play> {
    const play = new Play();
    const layout: Layout = {
      saveInput: async () => {},
      loadMapInput: async () => '',
      saveMapOutput: async () => {},
      loadReduceInput: async () => [],
      saveReduceOutput: async () => {},
      loadResult: async (_storage, job) => play.resultReadFor(job),
    };
    const pid = await startMaster({ layout, storage: {} as Storage });
    play.masterPid = pid;
    (play.master as { node: string }).node = pid.node;
    // A master that crashes is seen at once, with its reason.
    spawn(async () => {
      const ref = Process.monitor(pid);
      const down = (await receive((m) => isDown(m) && sameRef(m.ref, ref))) as DownMessage;
      if (play.stopping) return;
      const withWorker = (down.reason === 'killed' || down.reason === 'noconnection') && play.history.slice(play.settled).some((h) => h.endsWith(' died'));
      play.crashed(
        `${describeFailure(new CallError(pid, { exit: down.reason }))}${withWorker ? ': it went down with a worker that died. Is it linked to its workers? A link takes the master down with them; a monitor only tells it' : ''}`,
      );
    });
    return play;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.faked) vi.useRealTimers();
    for (const p of this.puppets) if (p.alive) Process.exit(p.pid, 'kill');
    await GenServer.stop('master').catch(() => undefined);
  }

  /** The puppets, alive or not. */
  everyWorker(): Puppet[] {
    return [...this.puppets];
  }

  /** New puppet workers, named as given (they have not announced themselves yet). */
  workers(...names: string[]): Puppet[] {
    return names.map((n) => this.puppet(n));
  }

  private puppet(label: string): Puppet & { notice(): Assignment[] } {
    const play = this;
    let alive = true;
    let seen: Assignment[] = [];
    const reported: Assignment[] = [];
    // It waits for nothing it will ever get: every task stays in its mailbox.
    const pid = spawn(() => receive((m) => m === 'never'), { label: `puppet worker ${label}` });
    const holding = () => seen.filter((a) => !reported.some((r) => same(r, a)));
    const p = {
      name: label,
      pid,
      get alive() {
        return alive;
      },
      ready() {
        const busy = holding();
        play.history.push(busy.length ? `${label} announced itself again, while it held ${busy.map(taskName).join(' and ')}` : `${label} announced itself`);
        send(play.master, { type: 'ready', worker: pid });
      },
      handed: () => [...seen],
      holding,
      report(a: Assignment) {
        const again = reported.some((r) => same(r, a));
        play.history.push(
          !alive
            ? `${label}'s report of ${taskName(a)} arrived late (${label} had been cut off, not killed, and the master had taken it for dead)`
            : `${label} reported ${taskName(a)} done${again ? ' again (the same report, a second time)' : ''}`,
        );
        if (!again) reported.push(a);
        play.done.add(key(a.job.name, a.task));
        play.reports.push({ by: label, job: a.job.name, task: a.task });
        send(play.master, { type: 'done', worker: pid, job: a.job.name, task: a.task } satisfies Done);
      },
      die() {
        if (!alive) return;
        play.notice(p);
        alive = false;
        play.history.push(`${label} died`);
        Process.exit(pid, 'kill');
      },
      /** The tasks that came since last time. */
      notice() {
        if (!alive) return [];
        const now = (Process.info(pid)?.messages ?? []).filter(isAssignment);
        const fresh = now.slice(seen.length);
        seen = now;
        return fresh;
      },
    };
    this.puppets.push(p);
    return p;
  }

  /** Starts a job (the caller's side, in a process of its own) once its request is in the master's mailbox. */
  async run(spec: JobSpec): Promise<void> {
    this.specs.set(spec.name, spec);
    this.running = spec;
    this.resultRead = false;
    this.history.push(`job ${spec.name} started: ${spec.mapJobs} map jobs, ${spec.reduceJobs} reduce job${spec.reduceJobs === 1 ? '' : 's'}`);
    await new Promise<void>((sent) => {
      this.answer = new Promise((resolve) => {
        spawn(() => {
          // The call's request is sent before mapReduce first waits.
          // The caller waits as long as the test lets it (a test may pass minutes of fake time).
          const answer = mapReduce(spec, '', { master: this.master, timeoutMs: 24 * 3_600_000 });
          sent();
          return answer.then(resolve, (err: Error) => resolve(err));
        });
      });
    });
  }

  /**
   * From now on the master's clock is the test's: its timers (setTimeout, setInterval) run only
   * when `passes` moves the clock on. Call it before the job starts, so that any timer the master
   * sets for a task is on that clock.
   */
  fakeClock(): void {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    this.faked = true;
  }

  /** Moves the master's clock on by `ms` at once (its timers run, as if the workers had been at their tasks that long), then settles. */
  async passes(ms: number, what: string): Promise<void> {
    if (!this.faked) throw new Error('passes() needs fakeClock() first');
    this.history.push(what);
    vi.advanceTimersByTime(ms);
    await this.settle();
  }

  /**
   * Waits until the master has dealt with every message sent so far, then notes what each
   * puppet was handed. Fails at once, in the stage's words, if the master crashed or did
   * something the truth forbids.
   */
  async settle(): Promise<void> {
    this.check();
    // The master deals with a message in a few turns of the microtask queue (its layout here keeps
    // nothing, so it waits on no I/O): once its mailbox is empty after a turn of the event loop, it is done.
    const deadline = Date.now() + SETTLE_MS;
    do await new Promise((resolve) => setImmediate(resolve));
    while ((Process.info(this.masterPid as Pid)?.messages.length ?? 0) > 0 && Date.now() < deadline);
    // And, while it runs a job, a call that it answers at once ("busy"), behind everything sent so far.
    if (!this.crash && this.running && !this.resultRead) {
      try {
        await GenServer.call(this.master, { run: { name: 'settle', app: 'none', mapJobs: 1, reduceJobs: 1 }, input: '' }, SETTLE_MS);
      } catch (err) {
        this.crashed(describeFailure(err));
      }
    }
    for (const p of this.puppets) this.notice(p);
    this.settled = this.history.length;
    this.check();
  }

  /** Notes the tasks a puppet was handed since last time, and whether the truth allowed them. */
  private notice(p: Puppet & { notice(): Assignment[] }): void {
    for (const a of p.notice()) {
      const held = p.holding().find((h) => h !== a);
      this.history.push(`${p.name} was handed ${taskName(a)}${held ? ` while it still held ${taskName(held)}` : ''}`);
      if (held) this.seconds.push({ puppet: p.name, task: a, held, after: this.history.slice(this.settled, -1) });
      if (a.task.kind !== 'reduce') continue;
      const spec = this.specs.get(a.job.name);
      const open = Array.from({ length: spec?.mapJobs ?? 0 }, (_, id): Task => ({ kind: 'map', id })).find((t) => !this.done.has(key(a.job.name, t)));
      if (open) this.violation ??= `the master handed out reduce job ${a.task.id} of ${a.job.name} while ${name(open)} was not done: ${this.miscounted(a.job.name, open)}`;
    }
  }

  private resultReadFor(job: string): Pair[] {
    this.resultRead = true;
    this.history.push(`the master read the result of ${job}`);
    const spec = this.specs.get(job);
    const open = Array.from({ length: spec?.reduceJobs ?? 0 }, (_, id): Task => ({ kind: 'reduce', id })).find((t) => !this.done.has(key(job, t)));
    if (open) this.violation ??= `the master read the result of ${job} while ${name(open)} was not done: ${this.miscounted(job, open)}`;
    return [['result', job]];
  }

  /** Why the master may have taken `open` of `job` for done: the report it must have counted for it. */
  private miscounted(job: string, open: Task): string {
    const none = `no worker that was handed ${name(open)} had reported it`;
    const reports = [...this.reports].reverse();
    const otherJob = reports.find((r) => r.job !== job && r.task.kind === open.kind && r.task.id === open.id);
    if (otherJob) {
      return `${none}, but ${otherJob.by}'s report of ${name(otherJob.task)} of ${otherJob.job}, an earlier job, had come: a report counts only for its own job, and was it counted for ${job}?`;
    }
    const otherPhase = reports.find((r) => r.job === job && r.task.kind !== open.kind && r.task.id === open.id);
    if (otherPhase) {
      return `${none}, but ${otherPhase.by}'s late report of ${name(otherPhase.task)} had come during the ${open.kind} jobs: was it counted for the wrong phase? A report counts only for its own phase`;
    }
    const holder = this.puppets.find((p) => p.handed().some((a) => a.job.name === job && a.task.kind === open.kind && a.task.id === open.id));
    const mine = reports.filter((r) => r.by === holder?.name && r.job === job && r.task.kind === open.kind && r.task.id !== open.id);
    const repeated = mine.find((r, i) => mine.slice(i + 1).some((o) => o.task.id === r.task.id));
    if (holder && repeated) {
      return (
        `${none}, but ${holder.name}'s report of ${name(repeated.task)} came a second time while ${holder.name} held ${name(open)}: ` +
        `was the repeated report counted again (a task is done once, however many reports come), or counted for the task ${holder.name} held (a report counts for the task it names)?`
      );
    }
    if (holder && mine[0]) {
      return `${none}, but ${holder.name}, which held it, had reported ${name(mine[0].task)}: was that report counted for the task ${holder.name} held? A report counts for the task it names`;
    }
    return `${none}: did the master count a report twice, or for another task?`;
  }

  /** Why no live worker will ever run `open`: a worker ignored, a worker that died with it, or live workers dropped. */
  private whyLost(open: Task[]): string {
    const job = (this.running as JobSpec).name;
    const ignored = this.puppets.filter((p) => p.alive && p.handed().length === 0 && this.history.includes(`${p.name} announced itself`));
    if (ignored.length) {
      const names = ignored.map((p) => p.name).join(' and ');
      return (
        `${names} announced ${ignored.length === 1 ? 'itself' : 'themselves'} and ${ignored.length === 1 ? 'was' : 'were'} never handed a task: the master must count every worker that announces itself, ` +
        'each one a process of its own (several may run on one node), and hand it a waiting task.'
      );
    }
    for (const t of open) {
      const holders = this.puppets.filter((p) => !p.alive && p.holding().some((a) => a.job.name === job && a.task.kind === t.kind && a.task.id === t.id));
      for (const holder of holders) {
        const second = this.seconds.find((s) => s.puppet === holder.name && (s.held.task.id === t.id || s.task.task.id === t.id));
        if (second) {
          const after = second.after.join('; ');
          const why = second.after.some((h) => h.startsWith(`${holder.name} announced itself again`))
            ? `A worker that says ready again is the same worker, still busy with its task: count it once, and keep what it holds.`
            : second.after.some((h) => h.startsWith(`${holder.name} reported`) && h.includes('again'))
              ? `A report frees a worker only from the task it reports, not from the one it holds now.`
              : `A worker that holds a task gets no other: assign skips it.`;
          return (
            `The master handed ${holder.name} ${name(second.task.task)} while ${holder.name} still held ${name(second.held.task)}, as if it were idle${after ? ` (right after: ${after})` : ''}, ` +
            `and when ${holder.name} died, ${name(t)} went to no other worker. ${why}`
          );
        }
        return `When ${holder.name} died, ${name(t)}, which it held, went to no live worker: the master must forget a worker that goes down (a task handed to it is lost) and hand its task to another.`;
      }
    }
    const dead = this.puppets.filter((p) => !p.alive).map((p) => p.name);
    if (dead.length) {
      return (
        `No live worker was handed ${open.map(name).join(' or ')}: did the master hand ${open.length === 1 ? 'it' : 'them'} to ${dead.join(' or ')}, after ${dead.length === 1 ? 'it' : 'they'} went down? ` +
        'The master must forget a worker that goes down (a task handed to it is lost) and hand its task to another.'
      );
    }
    const idle = this.puppets.filter((p) => p.alive).map((p) => p.name);
    return (
      `${idle.join(' and ')} ${idle.length === 1 ? 'is' : 'are'} alive and idle, and never lost the master (so ${idle.length === 1 ? 'it' : 'they'} will not announce ${idle.length === 1 ? 'itself' : 'themselves'} again), ` +
      'yet the master hands them nothing: did it drop a worker that was only slow? A worker is gone when its monitor says so (a DOWN), not when it takes long.'
    );
  }

  /**
   * The puppets given report each task they hold, oldest first, one step at a time, until
   * `reached()` after a step. Fails, saying why, when no live puppet holds a task.
   */
  async drive(puppets: Puppet[], reached: () => boolean): Promise<void> {
    const spec = this.running as JobSpec;
    for (;;) {
      await this.settle();
      if (reached()) return;
      const next = puppets.filter((p) => p.alive).flatMap((p) => p.holding().slice(0, 1).map((a) => [p, a] as const))[0];
      if (!next) {
        // The tasks of the phase the job is stuck in: the map jobs until every one is done, then the reduce jobs.
        const phase = (kind: Task['kind'], count: number) => Array.from({ length: count }, (_, id): Task => ({ kind, id })).filter((t) => !this.done.has(key(spec.name, t)));
        const maps = phase('map', spec.mapJobs);
        const open = maps.length ? maps : phase('reduce', spec.reduceJobs);
        throw new Verdict(this.explain(`the job ${spec.name} is stuck: no live worker holds a task, yet ${open.map(name).join(', ')} ${open.length === 1 ? 'is' : 'are'} not done. ${this.whyLost(open)}`));
      }
      next[0].report(next[1]);
    }
  }

  /** Ends the job: `drive` until the master has read the result, then its answer. */
  async finish(puppets: Puppet[]): Promise<Pair[]> {
    const spec = this.running as JobSpec;
    await this.drive(puppets, () => this.resultRead);
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([this.answer, new Promise<'none'>((resolve) => (timer = realSetTimeout(() => resolve('none'), SETTLE_MS)))]);
    realClearTimeout(timer);
    this.running = undefined;
    this.check();
    if (answer === 'none') throw new Verdict(this.explain(`the master read the result of ${spec.name} but did not answer the caller within ${SETTLE_MS / 1000} s`));
    if (answer instanceof Error) throw new Verdict(this.explain(answer instanceof CallError ? describeFailure(answer) : `the master answered with an error: ${answer.message}`));
    this.history.push(`the master answered the caller`);
    return answer as Pair[];
  }

  /** A failure message: what went wrong, then what happened, in order. */
  explain(what: string): string {
    return `${what}\nWhat happened, in order: ${this.history.map((h, i) => `(${i + 1}) ${h}`).join('; ')}.`;
  }

  private crashed(what: string): void {
    const steps = this.history.slice(this.settled);
    this.crash ??= `${what}${steps.length ? ` (it was dealing with: ${steps.join('; ')})` : ''}`;
  }

  private check(): void {
    if (this.violation) throw new Verdict(this.explain(this.violation));
    if (this.crash) throw new Verdict(this.explain(this.crash));
  }
}

function describeFailure(err: unknown): string {
  if (!(err instanceof CallError)) return `the call to the master failed: ${(err as Error).message}`;
  const r = err.reason;
  if (typeof r === 'object') return r.exit instanceof Error ? `the master crashed: ${formatReason(r.exit)}` : `the master stopped: ${formatReason(r.exit as string)}`;
  if (r === 'noproc') return 'the master is gone (noproc): it crashed or stopped';
  return `the master did not answer a call within ${SETTLE_MS / 1000} s while a job ran (${r}): is it stuck in a handler?`;
}
