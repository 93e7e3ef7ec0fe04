// What the room knows, in memory and bounded: each attendee's latest result per
// problem, the problem they are on (the first unsolved one of their latest run)
// and since when, and across the room, per problem, how many are green and red
// and the failure most of the red ones share. An attendee is an address and a
// display name: a laptop that renames itself gets a new row (the old one ages
// out), two laptops with the same name stay apart.
import { lessonOrder, firstUnsolved, solved } from '../../tools/problemResults.ts';
import { LIMITS, type RoomReport } from './protocol.ts';

export interface RosterOptions {
  /** The problems every stage has, in lesson order, so the page shows them before anyone ran them. */
  readonly catalogue?: ReadonlyArray<{ stage: string; problem: string; heading?: string | undefined }>;
  readonly now?: () => number;
  readonly maxAttendees?: number;
  readonly namesPerAddress?: number;
  readonly postsPerMinute?: number;
  /** Silent this long: shown as away (and the first to make room). */
  readonly awayAfterMs?: number;
  /** Silent this long: forgotten. */
  readonly forgetAfterMs?: number;
}

interface Result {
  readonly passed: number;
  readonly failed: number;
  readonly headline: string | undefined;
}

interface Attendee {
  readonly name: string;
  readonly address: string;
  lastSeen: number;
  /** Stage\u0000problem -> the latest result. */
  readonly results: Map<string, Result>;
  /**
   * Where they are, and since when: the first unsolved problem of their latest run,
   * or its last stage with no problem when all of it was green.
   */
  at: { stage: string; problem: string | undefined; since: number };
  /** Times of their posts in the last minute. */
  posts: number[];
}

export type Cell = 'green' | 'red' | 'none';

export interface ProblemView {
  readonly stage: string;
  readonly problem: string;
  readonly heading: string | undefined;
  readonly green: number;
  readonly red: number;
  /** Attendees on it now. */
  readonly on: number;
  /** The failure most of the red share: how many of them, and its latest wording. */
  readonly top: { readonly count: number; readonly headline: string } | undefined;
}

export interface AttendeeView {
  readonly name: string;
  readonly stage: string;
  /** The problem they are on; undefined when all they ran is green. */
  readonly problem: string | undefined;
  /** Milliseconds on that problem (or since all of their stage went green). */
  readonly forMs: number;
  readonly lastSeenMs: number;
  readonly away: boolean;
  /** One per problem of `problems`, in its order. */
  readonly cells: Cell[];
}

export interface RoomView {
  readonly problems: ProblemView[];
  readonly attendees: AttendeeView[];
}

export type Refusal = { readonly status: 429 | 503; readonly why: string };

const key = (stage: string, problem: string) => `${stage}\u0000${problem}`;

/** Failures that differ only in numbers and names of numbered nodes (ping-pong1, job 3) read as one. */
export const headlineKey = (headline: string): string => headline.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();

export class Roster {
  private readonly attendees = new Map<string, Attendee>();
  private readonly now: () => number;
  private readonly options: Required<Omit<RosterOptions, 'catalogue' | 'now'>>;
  private readonly catalogue: ReadonlyArray<{ stage: string; problem: string; heading?: string | undefined }>;

  constructor(options: RosterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.catalogue = options.catalogue ?? [];
    this.options = {
      maxAttendees: options.maxAttendees ?? LIMITS.attendees,
      namesPerAddress: options.namesPerAddress ?? LIMITS.namesPerAddress,
      postsPerMinute: options.postsPerMinute ?? LIMITS.postsPerMinute,
      awayAfterMs: options.awayAfterMs ?? 20 * 60_000,
      forgetAfterMs: options.forgetAfterMs ?? 4 * 3_600_000,
    };
  }

  /** How many attendees the room holds. */
  get size(): number {
    return this.attendees.size;
  }

  /** Takes a validated post from `address`; a refusal says why (too many posts, a full room). */
  record(address: string, report: RoomReport): Refusal | undefined {
    const now = this.now();
    this.forgetSilent(now);
    const id = `${address}\u0000${report.name}`;
    let attendee = this.attendees.get(id);
    if (!attendee) {
      const made = this.makeRoom(address, now);
      if (made) return made;
      attendee = { name: report.name, address, lastSeen: now, results: new Map(), at: { stage: '', problem: undefined, since: now }, posts: [] };
      this.attendees.set(id, attendee);
    }
    attendee.posts = attendee.posts.filter((t) => now - t < 60_000);
    if (attendee.posts.length >= this.options.postsPerMinute) return { status: 429, why: `at most ${this.options.postsPerMinute} results a minute from one attendee` };
    attendee.posts.push(now);
    attendee.lastSeen = now;
    for (const r of report.results) attendee.results.set(key(r.stage, r.problem), { passed: r.passed, failed: r.failed, headline: r.failed > 0 ? r.headline : undefined });
    const open = firstUnsolved(report.results);
    const stage = open?.stage ?? ([...report.results].sort(lessonOrder).pop()?.stage as string);
    if (attendee.at.stage !== stage || attendee.at.problem !== open?.problem) attendee.at = { stage, problem: open?.problem, since: now };
    return undefined;
  }

  /** Makes a place for a new attendee from `address`, or says why there is none. */
  private makeRoom(address: string, now: number): Refusal | undefined {
    const same = [...this.attendees.entries()].filter(([, a]) => a.address === address);
    if (same.length >= this.options.namesPerAddress) {
      // A laptop that renamed itself: its oldest name goes.
      const [oldest] = same.sort(([, a], [, b]) => a.lastSeen - b.lastSeen)[0] as [string, Attendee];
      this.attendees.delete(oldest);
    }
    if (this.attendees.size < this.options.maxAttendees) return undefined;
    const [quietest, attendee] = [...this.attendees.entries()].sort(([, a], [, b]) => a.lastSeen - b.lastSeen)[0] as [string, Attendee];
    if (now - attendee.lastSeen < this.options.awayAfterMs) return { status: 503, why: `the room is full (${this.options.maxAttendees} attendees, all active)` };
    this.attendees.delete(quietest);
    return undefined;
  }

  private forgetSilent(now: number): void {
    for (const [id, a] of this.attendees) if (now - a.lastSeen >= this.options.forgetAfterMs) this.attendees.delete(id);
  }

  /** The room as the page shows it. */
  view(): RoomView {
    const now = this.now();
    this.forgetSilent(now);
    const attendees = [...this.attendees.values()];
    const problems = new Map<string, { stage: string; problem: string; heading: string | undefined }>();
    for (const p of this.catalogue) problems.set(key(p.stage, p.problem), { stage: p.stage, problem: p.problem, heading: p.heading });
    for (const a of attendees) {
      for (const k of a.results.keys()) {
        const [stage, problem] = k.split('\u0000') as [string, string];
        if (!problems.has(k)) problems.set(k, { stage, problem, heading: undefined });
      }
    }
    const ordered = [...problems.values()].sort(lessonOrder);
    const problemViews: ProblemView[] = ordered.map((p) => {
      const k = key(p.stage, p.problem);
      const results = attendees.map((a) => a.results.get(k)).filter((r): r is Result => r !== undefined);
      const red = results.filter((r) => !solved({ ...p, ...r }));
      const groups = new Map<string, { count: number; headline: string }>();
      for (const a of attendees) {
        const r = a.results.get(k);
        if (!r || solved({ ...p, ...r }) || !r.headline) continue;
        const g = groups.get(headlineKey(r.headline)) ?? { count: 0, headline: r.headline };
        g.count++;
        groups.set(headlineKey(r.headline), g);
      }
      const top = [...groups.values()].sort((x, y) => y.count - x.count)[0];
      return {
        ...p,
        green: results.length - red.length,
        red: red.length,
        on: attendees.filter((a) => a.at.stage === p.stage && a.at.problem === p.problem).length,
        top,
      };
    });
    const attendeeViews: AttendeeView[] = attendees
      .map((a) => ({
        name: a.name,
        stage: a.at.stage,
        problem: a.at.problem,
        forMs: now - a.at.since,
        lastSeenMs: now - a.lastSeen,
        away: now - a.lastSeen >= this.options.awayAfterMs,
        cells: ordered.map((p): Cell => {
          const r = a.results.get(key(p.stage, p.problem));
          return !r ? 'none' : solved({ ...p, ...r }) ? 'green' : 'red';
        }),
      }))
      .sort((x, y) => Number(x.away) - Number(y.away) || x.name.localeCompare(y.name));
    return { problems: problemViews, attendees: attendeeViews };
  }
}
