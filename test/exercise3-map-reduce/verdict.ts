// What the tests conclude from a job's outcome, said in the stage's words and
// naming the evidence: which task was lost, which line is missing or doubled.
import { BOUND_MS, STALL_MS, type Outcome } from './watchJob.ts';
import type { Evidence } from './evidence.ts';

type Kind = 'map' | 'reduce';

const seconds = (ms: number) => `${ms / 1000} s`;
const count = (n: number) => n.toLocaleString('en-US');
const times = (n: number) => (n === 2 ? 'twice' : `${n} times`);
const isTask = (e: Evidence, event: Evidence['event'], kind?: Kind, id?: number) =>
  e.event === event && (kind === undefined || e.kind === kind) && (id === undefined || e.id === id);
/** The node a worker of the evidence ran on (a worker in the test's own process, without a node of its own, says so). */
const node = (worker: string) => {
  const short = worker.split('.')[0] ?? worker;
  return short === 'nonode' ? "the test's own process" : short;
};

function writtenIds(events: Evidence[], kind: Kind): Set<number> {
  return new Set(events.filter((e) => isTask(e, 'written', kind)).map((e) => e.id as number));
}

/** Why a job that stopped making progress did not finish, from what the workers did. */
export function explainStall({ spec, events, firstTaskMs }: Outcome): string {
  if (!events.some((e) => e.event === 'taken')) {
    if (!events.some((e) => e.event === 'stored')) return `the master never stored the job's input (nor answered) within ${seconds(BOUND_MS)}`;
    return `no worker was given a task within ${seconds(firstTaskMs)} of the master storing the input: the master must hand the map jobs to the workers that announced themselves`;
  }
  const written = { map: writtenIds(events, 'map'), reduce: writtenIds(events, 'reduce') };
  // A task taken by a worker that then died (or was cut off), written by nobody, and never taken by anyone since.
  for (const [i, e] of events.entries()) {
    if (e.event !== 'taken' || !e.kind || written[e.kind].has(e.id as number)) continue;
    const death = events.findIndex((d, j) => j > i && d.event === 'dying' && d.worker === e.worker);
    const cut = events.findIndex((d, j) => j > i && d.event === 'cut' && d.node === node(e.worker));
    const lost = death >= 0 ? death : cut;
    if (lost < 0 || events.slice(lost).some((t) => isTask(t, 'taken', e.kind, e.id) && t.worker !== e.worker)) continue;
    if (death >= 0) {
      return (
        `${e.kind} job ${e.id} went to a worker that died (${e.worker}, on ${node(e.worker)}) and was never reassigned: when a worker goes down, the master must hand its task to another worker ` +
        "(a worker that dies on another node sends its DOWN across the network, where its ref is a new object: the master finds the worker by comparing refs with sameRef; " +
        'and a worker whose node dies or is cut off goes DOWN with reason noconnection, which is a DOWN like any other)'
      );
    }
    return (
      `${e.kind} job ${e.id} went to a worker that was then cut off from the master (${e.worker}, on ${node(e.worker)}) and was never handed to another worker: ` +
      'the master must hand out again the task of a worker it lost touch with, and keep track of it (a late or repeated report must not free a worker that is busy with another task)'
    );
  }
  const cuts = events.some((e) => e.event === 'cut');
  const lostReport = cuts ? ` (a report sent while the network was cut never arrives: the master must hand out again the task of a worker it lost touch with)` : '';
  const reducesTaken = events.some((e) => isTask(e, 'taken', 'reduce'));
  if (written.map.size === spec.mapJobs && !reducesTaken) {
    return `every map job wrote its output, but no reduce job was ever handed out: does the master record each map job's 'done' report, so that it knows the map jobs are over?${lostReport}`;
  }
  if (written.reduce.size === spec.reduceJobs) {
    return `every reduce job wrote its output, but the master never answered: does it record each reduce job's 'done' report?${lostReport}`;
  }
  const waiting = (kind: Kind, total: number) =>
    Array.from({ length: total }, (_, id) => id)
      .filter((id) => !written[kind].has(id))
      .map((id) => {
        const last = events.findLast((e) => isTask(e, 'taken', kind, id));
        return `${kind} job ${id} (${last ? `last taken by ${last.worker}` : 'never taken'})`;
      });
  const missing = [...waiting('map', spec.mapJobs), ...(written.map.size === spec.mapJobs ? waiting('reduce', spec.reduceJobs) : [])];
  const died = events.find((e) => e.event === 'dying');
  const toTheDead =
    died && missing.some((m) => m.endsWith('(never taken)'))
      ? ` (a task never taken after a worker died: did the master hand it to the worker that had died, ${died.worker}? The master must forget a worker that goes down)`
      : '';
  return `the job made no progress for ${seconds(STALL_MS)}; not written yet: ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? `, and ${missing.length - 4} more` : ''}${toTheDead}`;
}

/** A task reported done before its output was stored: its writes were still unacknowledged when the layout returned, and its node died. */
export function lostOutputProblem({ events }: Outcome): string | undefined {
  const e = events.find((x) => x.event === 'unacknowledged');
  if (!e) return undefined;
  const save = e.kind === 'map' ? 'saveMapOutput' : 'saveReduceOutput';
  return (
    `${e.kind} job ${e.id} was reported done before its output was stored: ${save} returned while ${e.count === 1 ? 'one of its writes was' : `${e.count} of its writes were`} not acknowledged yet, ` +
    `the worker (${e.worker}, on ${node(e.worker)}) reported the task done, then died before those writes had left it (as when its node is killed, kill -9, right after a report), ` +
    'so the output never reached the storage, though the master counted the task done. ' +
    'A layout function must return only once the storage has acknowledged every write it made'
  );
}

/** A task that crashed its worker, with the reason the worker's node logged. */
export function taskCrash({ events }: Outcome): string | undefined {
  const at = events.findIndex((e) => e.event === 'crashed');
  if (at < 0) return undefined;
  const crash = events[at] as Evidence;
  const task = events.slice(0, at).findLast((e) => e.event === 'taken' && e.worker === crash.worker);
  const what = task ? `${task.kind} job ${task.id}` : 'a task';
  const missing = /no output|wrote its output|no input|null/i.test(crash.reason ?? '') ? ' (it found a key missing in the storage)' : '';
  return `${what} crashed its worker (${crash.worker}, on ${node(crash.worker)})${missing}; the node's log says: ${crash.reason}`;
}

const COUNTED = "is a repeated or late 'done' report counted twice, or for the wrong phase?";

/** A task handed out too early: a reduce job before every map job wrote, the result read before every reduce job wrote. */
export function orderProblem({ spec, events }: Outcome): string | undefined {
  const firstReduce = events.findIndex((e) => isTask(e, 'taken', 'reduce'));
  if (firstReduce >= 0) {
    const before = writtenIds(events.slice(0, firstReduce), 'map');
    const missing = Array.from({ length: spec.mapJobs }, (_, m) => m).find((m) => !before.has(m));
    if (missing !== undefined) {
      return `reduce job ${events[firstReduce]?.id} was handed out before map job ${missing} had written its output: the reduce jobs must wait for every map job (${COUNTED})`;
    }
  }
  // The master reads the result when it believes every reduce job done (and answers after that).
  const reading = events.findIndex((e) => e.event === 'reading' || e.event === 'answered');
  if (reading >= 0) {
    const before = writtenIds(events.slice(0, reading), 'reduce');
    const missing = Array.from({ length: spec.reduceJobs }, (_, r) => r).find((r) => !before.has(r));
    if (missing !== undefined) {
      return `the master read the result before reduce job ${missing} had written its output: it must wait for every reduce job (${COUNTED})`;
    }
  }
  return undefined;
}

/** The job ran to its end, in order, and the master answered. */
export function expectFinished(outcome: Outcome): void {
  // A task handed out too early, or an output lost after its report, explains a stall or a failure that follows from it, so they come first.
  const first = orderProblem(outcome) ?? lostOutputProblem(outcome);
  if (first) throw new Error(first);
  if (outcome.failure !== undefined) throw new Error(outcome.failure);
  const crash = taskCrash(outcome);
  if (crash) throw new Error(outcome.stalled || outcome.error !== undefined ? `${crash}${outcome.error !== undefined ? `; the master answered: ${outcome.error}` : ''}` : crash);
  if (outcome.stalled) throw new Error(explainStall(outcome));
  if (outcome.error !== undefined) throw new Error(`the job failed: ${outcome.error}`);
}

/** The identity job's output holds every input line exactly once. */
export function expectEveryLineOnce(outcome: Outcome, lines: string[]): void {
  const lost = lostOutputProblem(outcome);
  if (lost) throw new Error(lost);
  if ((outcome.result ?? []).length === 0) {
    throw new Error(`the master answered with an empty output, expected the ${count(lines.length)} lines of the input: do the map and reduce jobs store their outputs, and does the result read them back (layout.ts)?`);
  }
  const copies = new Map<string, number>(lines.map((line) => [line, 0]));
  const extra: string[] = [];
  for (const [key, value] of outcome.result ?? []) {
    const seen = copies.get(key);
    if (seen === undefined) extra.push(key);
    else copies.set(key, seen + (typeof value === 'number' ? value : 1));
  }
  const missing = lines.filter((line) => copies.get(line) === 0);
  const repeated = lines.filter((line) => (copies.get(line) as number) > 1);
  const problems: string[] = [];
  if (missing.length > 0) {
    problems.push(`${missing[0]} is missing from the output${missing.length > 1 ? ` (and ${count(missing.length - 1)} more of the ${count(lines.length)} lines)` : ''}`);
  }
  if (repeated.length > 0) {
    const first = repeated[0] as string;
    problems.push(`${first} appears ${times(copies.get(first) as number)} in the output${repeated.length > 1 ? ` (and ${count(repeated.length - 1)} more lines appear more than once)` : ''}: a task that ran twice must not leave its output twice`);
  }
  if (extra.length > 0) problems.push(`the output holds ${JSON.stringify(extra[0])}, which is not a line of the input`);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/** Every worker that started wrote some output (so the failure the test stages really happened). */
export function expectEveryWorkerWorked(outcome: Outcome): void {
  const started = outcome.events.filter((e) => e.event === 'started').map((e) => e.worker);
  for (const worker of started) {
    if (!outcome.events.some((e) => e.event === 'written' && e.worker === worker)) {
      throw new Error(`the worker ${worker} (on ${node(worker)}) started but never wrote any output: the master must hand tasks to every worker that announces itself`);
    }
  }
}

/** At least `expected` workers died as the test planned (each after `after` tasks). */
export function expectDeaths(outcome: Outcome, expected: number, plan: string): void {
  const died = outcome.events.filter((e) => e.event === 'dying').length;
  if (died < expected) {
    throw new Error(`${died === 0 ? 'no worker' : `only ${died} worker${died === 1 ? '' : 's'}`} died, expected at least ${expected} (${plan}): the master must keep handing tasks to every idle worker`);
  }
}
