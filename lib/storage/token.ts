// The storage's token: a secret that every request must carry, so that only
// the nodes the kit started (and whoever the instructor gives the URL to) can
// read or write, not any program or web page that can reach the port. It is
// made once per storage directory and kept there (mode 600), so a restarted
// storage keeps its URL; clients carry it in the URL, as Redis URLs carry a
// password: http://distsys:TOKEN@127.0.0.1:4380.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const TOKEN_FILE = 'token';
/** Where the system has it (not Windows): the token is never read or written through a link at its name. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** Whether `token` may be a token (URL-safe, 16 to 128 characters). */
function isTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** The token of the storage in `dir`: `given` if set (and then kept), else the one kept there, else a new one. */
export function loadOrCreateToken(dir: string, given?: string): string {
  const path = join(dir, TOKEN_FILE);
  if (given !== undefined) {
    if (!isTokenShaped(given)) throw new Error('a storage token is 16 to 128 letters, digits, "-" or "_"');
    writePrivate(path, `${given}\n`);
    return given;
  }
  try {
    const fd = openSync(path, constants.O_RDONLY | NO_FOLLOW);
    let kept: string;
    try {
      kept = readFileSync(fd, 'utf8').trim();
    } finally {
      closeSync(fd);
    }
    if (isTokenShaped(kept)) return kept;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new Error(`the storage token ${path} is a symbolic link: the storage reads its token from a plain file only (remove the link: a new token is made)`);
    if (code !== 'ENOENT') throw new Error(`cannot read the storage token ${path}: ${(err as Error).message}`);
  }
  const fresh = randomBytes(24).toString('base64url');
  writePrivate(path, `${fresh}\n`);
  return fresh;
}

/** Writes `text` to `path`, created 0600 if new, never through a link someone left at that name. */
function writePrivate(path: string, text: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NO_FOLLOW, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether an `Authorization` header carries `token`, compared in constant time. */
export function authorized(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token));
}
