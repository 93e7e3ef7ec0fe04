// The magic cookie: nodes connect only if they share it. It never crosses the
// wire: each side proves it knows the cookie by an HMAC over the handshake's
// transcript (both names, both fresh challenges, and which side is proving),
// compared in constant time. Like `~/.erlang.cookie`, a default cookie lives in
// a private file in the home folder.
//
// What the cookie protects: who may join the cluster (and so run code on its
// nodes through rpc), and, through the session keys the handshake derives from
// it, what travels on a connection once it is up: every frame carries a MAC
// under a key only cookie holders can compute (distribution/frameMac.ts), so
// whoever relays a connection cannot write into it. What it does not protect:
// secrecy. Frames travel in clear text, so anyone on the network path can read
// them. Across an untrusted network, run the nodes inside a VPN or an SSH
// tunnel (README, "Several hosts").
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

/** A fresh challenge: random, so a proof seen once proves nothing the next time. */
export function newChallenge(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Everything one handshake is about: who dialled whom, and the challenge each
 * side chose. A proof covers all of it, so it is worth nothing on any other
 * connection, in the other direction, or between other nodes.
 */
export interface Transcript {
  readonly initiator: string;
  readonly acceptor: string;
  readonly initiatorChallenge: string;
  readonly acceptorChallenge: string;
}

/** Who is proving: the node that dialled, or the node that answered. */
export type ProofRole = 'initiator' | 'acceptor';

const PROOF_LABEL = 'distsys handshake v2';

/** The proof that `role`'s node knows `cookie`, for this handshake's transcript. */
export function proof(cookie: string, role: ProofRole, t: Transcript): string {
  // Node names cannot hold a newline and challenges are hex, so the joined text is unambiguous.
  const text = [PROOF_LABEL, role, t.initiator, t.acceptor, t.initiatorChallenge, t.acceptorChallenge].join('\n');
  return createHmac('sha256', cookie).update(text).digest('hex');
}

const SESSION_LABEL = 'distsys session v1';

/** The keys of one connection's frames, one per direction: what the initiator sends, and what the acceptor sends. */
export interface SessionKeys {
  readonly initiator: Buffer;
  readonly acceptor: Buffer;
}

/**
 * The MAC keys of the connection this handshake sets up. Only a holder of the cookie can
 * compute them: a relay that passed the handshake through saw the challenges and the
 * proofs, and neither reveals a key (each is an HMAC under the cookie, with another label).
 * A fresh handshake has fresh challenges, so its keys are worth nothing on any other connection.
 */
export function sessionKeys(cookie: string, t: Transcript): SessionKeys {
  const key = (role: ProofRole) =>
    createHmac('sha256', cookie).update([SESSION_LABEL, role, t.initiator, t.acceptor, t.initiatorChallenge, t.acceptorChallenge].join('\n')).digest();
  return { initiator: key('initiator'), acceptor: key('acceptor') };
}

/** Compares a received proof with the expected one in constant time. */
export function proofMatches(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
