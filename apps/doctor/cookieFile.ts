// The cookie file (~/.distsys.cookie): a node started without --cookie, and the
// stage tests' clusters, take their cookie from it, creating it on first use.
// A home folder that cannot hold it stops them all; one other users can read
// lets them join your nodes.
import { lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultCookiePath, readDefaultCookie } from '../../lib/internal.ts';
import { reason, type CheckResult } from './check.ts';

const ELSEWHERE = "Or work in the dev container (README, 'When your laptop cannot run the kit').";

/** Checks (and, as the first node would, creates) the cookie file at `path`. */
export function checkCookieFile(path = defaultCookiePath(), platform: NodeJS.Platform = process.platform): CheckResult {
  let existed = true;
  let mode = 0;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return { status: 'fail', summary: `cannot look at the cookie file ${path}: ${reason(err)}`, details: [`Make sure your user can read ${dirname(path)}.`, ELSEWHERE] };
    }
    // A link to nothing is there all the same: the cookie's own check (below) says so in words.
    existed = lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  }
  const posix = platform !== 'win32';
  if (existed && posix && (mode & 0o077) !== 0) {
    let empty = false;
    try {
      empty = readFileSync(path, 'utf8').trim() === '';
    } catch {
      // unreadable: said below by the mode
    }
    return {
      status: empty ? 'fail' : 'warn',
      summary: `the cookie file ${path} can be read by other users of this computer (mode ${mode.toString(8)})${empty ? ' and is empty' : ''}`,
      details: [`Make it private: chmod 600 ${path}${empty ? `, and put a secret in it (or delete it: the next node creates a new one)` : ''}.`],
    };
  }
  try {
    readDefaultCookie(path);
  } catch (err) {
    if (!existed) {
      return {
        status: 'fail',
        summary: reason(err),
        details: [
          `Your home folder (${dirname(path)}) does not let you write in it. A node started without --cookie, and every`,
          "cluster the stage tests start, takes its cookie from that file: without it, they cannot start. (npm keeps its",
          'cache there too, so npm install and npx fail the same way; node bin/distsys.js doctor runs the doctor without npm.)',
          'Make your home folder writable (ask whoever manages this laptop).',
          ELSEWHERE,
        ],
      };
    }
    return { status: 'fail', summary: reason(err), details: [`Delete ${path}: the next node creates a new one.`] };
  }
  const privacy = posix ? 'private (mode 600)' : 'protected by your user folder';
  return { status: 'ok', summary: existed ? `the cookie file ${path} is there, ${privacy}` : `created the cookie file ${path}, ${privacy}` };
}
