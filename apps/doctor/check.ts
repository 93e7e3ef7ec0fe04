// What each check of `distsys doctor` hands back, and how the report prints it:
// one line per check in plain words, then what was found and, for a problem,
// what to do about it; at the end one line, ready or not.

/** `ok`: fine. `warn`: works, but worth fixing before the workshop. `fail`: the kit cannot work until it is fixed. */
export type Status = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  readonly status: Status;
  /** What the check found, in one line. */
  readonly summary: string;
  /** Further lines: the evidence, and for a warning or a failure what to do. */
  readonly details?: readonly string[];
}

const LABEL: Record<Status, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL' };
const INDENT = '        ';

/** A check as the report prints it: `  ok    summary`, then its details indented under it. */
export function formatCheck(result: CheckResult): string {
  const head = `  ${LABEL[result.status].padEnd(6)}${result.summary}`;
  return [head, ...(result.details ?? []).map((line) => (line === '' ? '' : `${INDENT}${line}`))].join('\n');
}

/** The report's last line: ready or not, and how long the checks took. */
export function verdict(results: readonly CheckResult[], elapsedMs: number): { line: string; ready: boolean } {
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  const took = `${(elapsedMs / 1000).toFixed(1)} s`;
  if (failed > 0) {
    const problems = `${failed} problem${failed === 1 ? '' : 's'}`;
    return { ready: false, line: `not ready: ${problems} above (FAIL); do what each says, then run npx distsys doctor again (${took})` };
  }
  const notes = warned > 0 ? `, with ${warned} warning${warned === 1 ? '' : 's'} above worth fixing` : '';
  return { ready: true, line: `ready: this laptop can run the workshop${notes} (${took})` };
}

/** A failure's reason in one line: an error's message without its stack. */
export function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split(/\r?\n/)[0] ?? text;
}

/**
 * Why a kit process did not start, in one line: the harness's error ("… exited
 * before it was ready; its log:" and the log) becomes its first line and what
 * the process said last (`distsys: listen EADDRNOTAVAIL …`).
 */
export function startFailure(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const head = (lines[0] ?? 'it did not start').replace(/; its log:$/, '');
  const log = lines.slice(1);
  const said = log.find((l) => l.startsWith('distsys: ')) ?? log[log.length - 1];
  return said === undefined ? head : `${head}: ${said}`;
}
