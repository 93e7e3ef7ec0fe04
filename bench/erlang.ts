// The Erlang/OTP side of `npm run bench -- --erlang`: compiles bench/erlang/*.erl,
// runs them as a controller node that starts its own peers, on an epmd of its
// own (a free port, so an attendee's real epmd is untouched), and stops it all.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = fileURLToPath(new URL('./erlang/', import.meta.url));

/** Whether Erlang/OTP can run here, or what to do to get it. */
export async function erlangMissing(): Promise<string | undefined> {
  const found = await execa('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { reject: false });
  if (found.exitCode === 0) return undefined;
  return 'erl is not on the PATH: install Erlang/OTP (Debian/Ubuntu: sudo apt-get install erlang-base; macOS: brew install erlang) to compare with it';
}

export async function erlangFigures(o: { runs: number; trips: number; messages: number; clusterRuns: number; epmdPort: number }): Promise<Map<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'distsys-erlbench-'));
  // The cookie goes in the environment (ERL_AFLAGS, which the peers inherit), not on command lines every user can read.
  const env = { ERL_EPMD_PORT: String(o.epmdPort), ERL_AFLAGS: `-setcookie bench${randomBytes(12).toString('hex')}` };
  try {
    const sources = readdirSync(SOURCES).filter((f) => f.endsWith('.erl')).map((f) => join(SOURCES, f));
    await execa('erlc', ['-o', dir, ...sources]);
    const run = await execa(
      'erl',
      ['-sname', `distbench${process.pid}`, '-kernel', 'prevent_overlapping_partitions', 'false', '-noshell', '-pa', dir,
        '-run', 'distbench', 'main', String(o.runs), String(o.trips), String(o.messages), String(o.clusterRuns)],
      { env, reject: false, timeout: 600_000 },
    );
    if (run.stderr) process.stderr.write(run.stderr);
    const figures = new Map<string, number>();
    for (const line of run.stdout.split(/\r?\n/)) {
      const m = /^figure (\S+) (\S+)$/.exec(line.trim());
      if (m) figures.set(m[1] as string, Number(m[2]));
    }
    return figures;
  } finally {
    await execa('epmd', ['-kill'], { env, reject: false });
    rmSync(dir, { recursive: true, force: true });
  }
}
