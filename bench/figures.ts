// What a benchmark run produces: figures with a unit and a direction, printed
// as one table (the kit, Erlang/OTP, their ratio) or written as JSON.
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
  /** How it was measured (runs, sizes), for the reader of the table. */
  readonly note?: string;
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

/** The figures as a Markdown table (what the README's performance table is made from). */
export function table(figures: Figure[], withErlang: boolean): string {
  const withMixed = withErlang && figures.some((f) => f.mixed !== undefined);
  const rows = figures.map((f) => [
    f.label,
    show(f.kit, f.unit),
    ...(withErlang ? [show(f.erlang, f.unit), ratio(f)] : []),
    ...(withMixed ? [f.mixed === undefined ? '' : show(f.mixed, f.unit)] : []),
  ]);
  const head = ['figure', 'the kit', ...(withErlang ? ['Erlang/OTP', 'ratio'] : []), ...(withMixed ? ['kit ↔ Erlang/OTP'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
