// A part of a test that plays another user of the same machine (a shared lab
// computer, a login server, a CI runner): it runs as `nobody`. That needs the
// test to run as root (this machine's CI does), Linux, and a checkout `nobody`
// can read: a clone under a folder of mode 0700 (what `mktemp -d` makes, or
// /root) is not, and then `nobody` cannot even load the kit. Each such test
// is skipped with the reason, rather than failing for one that has nothing to
// do with the kit.
import { execa, type Options, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { tsEntryArgs } from '../../lib/childProcess.ts';

export const NOBODY = 65534;

const PROBE = fileURLToPath(new URL('./nobodyProbe.ts', import.meta.url));

async function whyNot(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `another user's part runs as nobody on Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `another user's part runs as nobody, which needs root (this test runs as uid ${process.getuid?.()})`;
  const run = await execa(process.execPath, tsEntryArgs(PROBE), { uid: NOBODY, gid: NOBODY, reject: false, timeout: 30_000 });
  if (run.exitCode !== 0 || !run.stdout.includes('nobody can load the kit')) {
    const lines = (run.stderr || run.shortMessage || run.stdout).split(/\r?\n/);
    const why = lines.find((line) => /Error|EACCES|denied/.test(line)) ?? lines[0];
    return `nobody cannot load the kit from this checkout (a folder on its path is private, 0700?): ${why?.trim()}`;
  }
  return undefined;
}

/** Why a part cannot run as another user here, or undefined if it can: give it to it.skipIf, and say it in the title. */
export const otherUserCannot: string | undefined = await whyNot();

/** The title of a test that runs a part as another user, with the reason it is skipped if it is. */
export const asOtherUser = (title: string) => (otherUserCannot ? `${title} (skipped: ${otherUserCannot})` : title);

/** Starts a TypeScript file of the kit's as `nobody`, for a part that runs alongside the test. */
export function startAsNobody(script: string, args: string[], options: Options = {}): ResultPromise {
  return execa(process.execPath, [...tsEntryArgs(script), ...args], { uid: NOBODY, gid: NOBODY, reject: false, ...options });
}

/** Runs a TypeScript file of the kit's as `nobody` to its end: its exit code and what it printed. */
export async function runAsNobody(script: string, args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const run = await execa(process.execPath, [...tsEntryArgs(script), ...args], { uid: NOBODY, gid: NOBODY, reject: false, timeout: 60_000 });
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr };
}
