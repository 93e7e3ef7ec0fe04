// The magic cookie: nodes connect only if they share it. It never crosses the
// wire: each side proves it knows the cookie by an HMAC over a fresh challenge
// of the other side's, compared in constant time. Like `~/.erlang.cookie`, a
// default cookie lives in a private file in the home folder.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { log } from './logger.ts';

export const COOKIE_FILE_NAME = '.distsys.cookie';

export function defaultCookiePath(): string {
  return join(homedir(), COOKIE_FILE_NAME);
}

function randomCookie(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...randomBytes(20)].map((b) => letters[b % 26]).join('');
}

/** The cookie from `~/.distsys.cookie`, created (mode 0600) with a random one if missing. */
export function readDefaultCookie(path = defaultCookiePath()): string {
  try {
    writeFileSync(path, randomCookie(), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the cookie file ${path}: ${(err as Error).message}`);
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    log.warning(`the cookie file ${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  }
  const cookie = readFileSync(path, 'utf8').trim();
  if (cookie === '') throw new Error(`the cookie file ${path} is empty`);
  return cookie;
}

/** A fresh challenge: random, so an answer seen once proves nothing the next time. */
export function newChallenge(): string {
  return randomBytes(16).toString('hex');
}

/** The proof that `prover` knows `cookie`, for the other side's `challenge`. */
export function digest(cookie: string, challenge: string, prover: string): string {
  return createHmac('sha256', cookie).update(`${prover}\n${challenge}`).digest('hex');
}

export function digestMatches(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
