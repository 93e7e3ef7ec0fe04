// What a benchmark run produces: figures with a unit and a direction, printed
// as one table (the kit, Erlang/OTP, the floor Node.js sets, and each figure's
// goal with whether this run met it) or written as JSON.
export interface Figure {
  /** Stable key, shared with the Erlang run (bench/erlang/distbench.erl). */
  readonly key: string;
  readonly label: string;
  readonly unit: 'ms' | 'us' | 'msg/s' | 'MiB' | 's';
  readonly lowerIsBetter: boolean;
  readonly kit: number | undefined;
  readonly erlang?: number | undefined;
  /** The same measure between a kit node in Erlang mode and an erl node (round trips only; with --erlang). */
  readonly mixed?: number | undefined;
  /** The same measure on bare Node.js (a TCP echo), where one applies: what no Node.js design can beat. */
  readonly floor?: number | undefined;
  /** How it was measured (runs, sizes), for the reader of the table. */
  readonly note?: string;
}

/**
 * A figure's goal (issue 24): the kit at most `ratio` times its base (at least, for a rate).
 * The base is Erlang/OTP, or the floor where Node.js itself bounds the figure below Erlang
 * (Erlang's schedulers spin instead of sleeping, which no Node.js process does).
 */
export interface Goal {
  readonly base: 'erlang' | 'floor';
  readonly ratio: number;
}

export const GOALS: Readonly<Record<string, Goal>> = {
  nodeStartMs: { base: 'erlang', ratio: 1 },
  meshOf3Ms: { base: 'erlang', ratio: 1 },
  firstConnectMs: { base: 'erlang', ratio: 1 },
  roundTripP50Us: { base: 'floor', ratio: 1.25 },
  callP50Us: { base: 'floor', ratio: 1.5 },
  remoteExitToDownUs: { base: 'floor', ratio: 1 },
  killToNodedownMs: { base: 'erlang', ratio: 1 },
  idleNodeRssMiB: { base: 'erlang', ratio: 1.5 },
  throughputPerS: { base: 'erlang', ratio: 4 },
};

/** Where a figure stands against its goal, in this run. */
export interface Verdict {
  readonly goal: Goal;
  /** The kit over the base: for a rate, how many times more (the goal is then a minimum). */
  readonly ratio: number;
  readonly met: boolean;
}

export function verdict(f: Figure): Verdict | undefined {
  const goal = GOALS[f.key];
  if (!goal) return undefined;
  const base = goal.base === 'erlang' ? f.erlang : f.floor;
  if (f.kit === undefined || base === undefined || !(base > 0) || !(f.kit > 0)) return undefined;
  const ratio = f.kit / base;
  return { goal, ratio, met: f.lowerIsBetter ? ratio <= goal.ratio : ratio >= goal.ratio };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

function show(value: number | undefined, unit: Figure['unit']): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (unit === 'msg/s') return `${(value / 1e6).toFixed(2)} M msg/s`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

/** "2.2x slower", "4.6x faster", "same" (within 5 %), or '' when one side is missing. */
export function ratio(f: Figure): string {
  if (f.kit === undefined || f.erlang === undefined || f.kit === 0 || f.erlang === 0) return '';
  const worse = f.lowerIsBetter ? f.kit / f.erlang : f.erlang / f.kit;
  if (worse > 0.95 && worse < 1.05) return 'same';
  // Memory is "more"/"less"; times are "slower"/"faster"; rates are "less"/"more" (per second).
  const [bad, good] = f.unit === 'MiB' ? ['more', 'less'] : f.lowerIsBetter ? ['slower', 'faster'] : ['less', 'more'];
  return worse > 1 ? `${worse.toFixed(1)}x ${bad}` : `${(1 / worse).toFixed(1)}x ${good}`;
}

const baseWord = (goal: Goal) => (goal.base === 'erlang' ? 'Erlang' : 'floor');

/** The goal in words: "<= 1.25x floor", ">= 4x Erlang". */
export function goalText(f: Figure): string {
  const goal = GOALS[f.key];
  if (!goal) return '';
  return `${f.lowerIsBetter ? '<=' : '>='} ${goal.ratio}x ${baseWord(goal)}`;
}

/** The kit against its goal's base, and whether the goal is met: "1.41x Erlang: missed". */
export function standing(f: Figure): string {
  const v = verdict(f);
  if (!v) return GOALS[f.key] ? 'no base in this run' : '';
  return `${v.ratio.toFixed(2)}x ${baseWord(v.goal)}: ${v.met ? 'met' : 'missed'}`;
}

/** The figures as a Markdown table (what the README's performance table is made from). */
export function table(figures: Figure[], withErlang: boolean): string {
  const withMixed = withErlang && figures.some((f) => f.mixed !== undefined);
  const withFloor = figures.some((f) => f.floor !== undefined);
  const rows = figures.map((f) => [
    f.label,
    // A figure with a note (tests that failed while it was timed) says so beside its value: it is no measure of the kit.
    f.note ? `${show(f.kit, f.unit)} (${f.note})` : show(f.kit, f.unit),
    ...(withErlang ? [show(f.erlang, f.unit), ratio(f)] : []),
    ...(withMixed ? [f.mixed === undefined ? '' : show(f.mixed, f.unit)] : []),
    ...(withFloor ? [f.floor === undefined ? '' : show(f.floor, f.unit)] : []),
    goalText(f),
    standing(f),
  ]);
  const head = [
    'figure',
    'the kit',
    ...(withErlang ? ['Erlang/OTP', 'kit vs Erlang'] : []),
    ...(withMixed ? ['kit ↔ Erlang/OTP'] : []),
    ...(withFloor ? ['floor'] : []),
    'goal',
    'kit / goal base',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The figures as JSON-ready records: each with its goal and this run's standing. */
export function records(figures: Figure[]): object[] {
  return figures.map((f) => {
    const v = verdict(f);
    const goal = GOALS[f.key];
    return {
      ...f,
      ...(goal ? { goal: { base: goal.base, ratio: goal.ratio, text: goalText(f) } } : {}),
      ...(v ? { ratioToGoalBase: Number(v.ratio.toFixed(3)), met: v.met } : goal ? { met: null } : {}),
    };
  });
}
