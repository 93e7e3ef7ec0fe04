// The attendee's side of the room: after a test run, when (and only when) the
// attendee joined a room (DISTSYS_ROOM, or `npm run grade -- --room URL`),
// send the display name they chose and, per problem, how many tests passed and
// failed with the first line of the first failure. Never code, paths, the user
// name or the machine's name: a headline is cut to its first line, and paths,
// the home folder, the user name and the host name are blotted out of it
// before it leaves. A room that does not answer costs at most a few seconds
// and never changes the run's result.
import { homedir, hostname, userInfo } from 'node:os';
import { LIMITS, REPORT_PATH, roomReport, type RoomReport } from './protocol.ts';

export interface RoomChoice {
  /** The room's address as the instructor printed it: `http://192.168.1.23:4390/?token=…`. */
  readonly room?: string | undefined;
  /** The name the room shows. */
  readonly as?: string | undefined;
}

export interface ProblemOutcome {
  readonly stage: string;
  readonly problem: string;
  readonly passed: number;
  readonly failed: number;
  readonly headline?: string | undefined;
}

const TIMEOUT_MS = 3_000;

/** The room chosen by flags, else by DISTSYS_ROOM and DISTSYS_ROOM_NAME; undefined when the attendee joined none. */
export function roomChoice(flags: RoomChoice = {}, env: NodeJS.ProcessEnv = process.env): RoomChoice | undefined {
  const room = flags.room ?? env.DISTSYS_ROOM;
  if (room === undefined || room.trim() === '') return undefined;
  return { room: room.trim(), as: flags.as ?? env.DISTSYS_ROOM_NAME };
}

/** The address to post to, or why the given one is not a room's. */
export function reportUrl(room: string): URL | string {
  let url: URL;
  try {
    url = new URL(room);
  } catch {
    return `${JSON.stringify(room.slice(0, 80))} is not an address (the room prints one like http://192.168.1.23:4390/?token=…)`;
  }
  if (url.protocol !== 'http:') return `${url.protocol} is not the room's (its address starts with http://)`;
  const token = url.searchParams.get('token');
  if (!token) return 'the address has no ?token=… (copy the whole address the room printed)';
  const target = new URL(REPORT_PATH, url.origin);
  target.searchParams.set('token', token);
  return target;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What may leave the laptop of a failure's first line: no path, no user or machine name, no control character, bounded. */
export function scrubHeadline(line: string, who: { user?: string; home?: string; host?: string } = whoAmI()): string {
  let text = (line.split(/\r?\n/)[0] ?? '').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  // Absolute paths (/Users/ada/kit/x.ts, C:\\Users\\ada\\x.ts, in a file:// URL too): only their last part stays.
  text = text.replace(/(?<![\w.])(?:[A-Za-z]:\\(?:[^\s\\]+\\)*|\/(?:[^\s/]+\/){2,})([^\s\\/]*)/g, '…/$1');
  if (who.home && who.home.length > 1) text = text.split(who.home).join('~');
  // The machine's name first: it often holds the user's (adas-laptop).
  for (const secret of [who.host, who.user].filter((s): s is string => s !== undefined && s.length >= 2).sort((a, b) => b.length - a.length)) {
    text = text.replace(new RegExp(escape(secret), 'gi'), '…');
  }
  text = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > LIMITS.headline ? `${text.slice(0, LIMITS.headline - 1)}…` : text;
}

function whoAmI(): { user?: string; home?: string; host?: string } {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = undefined;
  }
  return { user, home: homedir(), host: hostname().split('.')[0] };
}

/** The post for these outcomes, or why there is none. */
export function buildReport(name: string | undefined, outcomes: readonly ProblemOutcome[]): RoomReport | string {
  if (!name || name.trim() === '') return 'choose the name the room shows: export DISTSYS_ROOM_NAME="your name" (or --as "your name"; the kit never sends your user name)';
  const parsed = roomReport.safeParse({
    name: name.trim().slice(0, LIMITS.name),
    results: outcomes.slice(0, LIMITS.results).map((o) => ({
      stage: o.stage,
      problem: o.problem,
      passed: o.passed,
      failed: o.failed,
      ...(o.failed > 0 && o.headline ? { headline: scrubHeadline(o.headline) || 'the test failed' } : {}),
    })),
  });
  return parsed.success ? parsed.data : `the results do not fit the room's form: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
}

/**
 * Sends the outcomes to the room the attendee chose; returns the one line to
 * print (sent, or why not), or undefined when the attendee joined no room.
 */
export async function sendToRoom(outcomes: readonly ProblemOutcome[], flags: RoomChoice = {}, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const choice = roomChoice(flags, env);
  if (!choice?.room) return undefined;
  const url = reportUrl(choice.room);
  if (typeof url === 'string') return `Not sent to the room: ${url}.`;
  const where = url.host;
  const report = buildReport(choice.as, outcomes);
  if (typeof report === 'string') return `Not sent to the room at ${where}: ${report}.`;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = (await res.text()).trim().slice(0, 200);
    if (!res.ok) return `Not sent to the room at ${where}: it answered ${res.status}${text ? ` (${text})` : ''}.`;
    return `Sent to the room at ${where}, as "${report.name}": your results and the first line of each failure.`;
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : ((err as { cause?: Error }).cause?.message ?? (err as Error).message);
    return `Not sent to the room at ${where}: ${why} (your tests are not affected).`;
  }
}
