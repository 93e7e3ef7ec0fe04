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
import { fs } from './builtins.ts';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { log } from './logger.ts';
const { closeSync, constants, lstatSync, openSync, readFileSync, readlinkSync, realpathSync, writeSync } = fs;

const COOKIE_FILE_NAME = '.distsys.cookie';

/**
 * Where a parent hands a node it starts its cookie: the environment. Never the command line:
 * every user of the machine can read any process's command line (`ps`, /proc/PID/cmdline),
 * while its environment is readable by its own user only.
 */
export const COOKIE_ENV = 'DISTSYS_COOKIE';

let handed: string | undefined;

/**
 * The cookie this process was handed in DISTSYS_COOKIE, if any. It is taken out of the
 * environment the first time (and kept here), so that programs this node starts in turn do
 * not inherit it: a node the kit starts is handed the cookie it is meant to have.
 */
export function handedCookie(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[COOKIE_ENV];
  if (value !== undefined) {
    delete env[COOKIE_ENV];
    if (value !== '') handed = value;
  }
  return handed;
}

export function defaultCookiePath(): string {
  return join(homedir(), COOKIE_FILE_NAME);
}

/** Erlang's own cookie file, `~/.erlang.cookie`: a node in Erlang mode reads it (or makes it, as `erl` does) when given no cookie. */
export function erlangCookiePath(): string {
  return join(homedir(), '.erlang.cookie');
}

function randomCookie(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...randomBytes(20)].map((b) => letters[b % 26]).join('');
}

/** Opening flags that never follow a link at the last name (where the system has them: not Windows). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * The cookie from `~/.distsys.cookie` (or `path`: `~/.erlang.cookie` in Erlang mode), created
 * (mode 0600) with a random one if missing: 20 capital letters, as Erlang makes its own.
 * The file is looked at before it is believed: whoever can write it decides the cookie, so it
 * must be a plain file of this user's that no other user may write. A symbolic link (dotfile
 * managers make them) is followed and its target checked the same way; a link to nothing is
 * said in words.
 */
export function readDefaultCookie(path = defaultCookiePath()): string {
  try {
    // Made new, private, and never through a link someone left at that name.
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
    try {
      writeSync(fd, randomCookie());
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the cookie file ${path}: ${(err as Error).message}`);
  }
  const file = cookieFileTarget(path);
  let cookie: string;
  try {
    const fd = openSync(file, constants.O_RDONLY | NO_FOLLOW);
    try {
      cookie = readFileSync(fd, 'utf8').trim();
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new Error(`cannot read the cookie file ${shown(path, file)}: ${(err as Error).message}`);
  }
  if (cookie === '') throw new Error(`the cookie file ${shown(path, file)} is empty`);
  return cookie;
}

const shown = (path: string, file: string) => (file === path ? path : `${path} (a link to ${file})`);

/** The file the cookie is read from (`path`, or where its link leads), checked; throws in words if it may not be trusted. */
function cookieFileTarget(path: string): string {
  let file = path;
  if (lstatSync(path).isSymbolicLink()) {
    try {
      file = realpathSync(path);
    } catch (err) {
      const to = readlinkSync(path);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`the cookie file ${path} is a symbolic link to ${to}, which does not exist: point it at your cookie file, or remove the link (the next node then makes a new cookie file there)`);
      }
      throw new Error(`the cookie file ${path} is a symbolic link to ${to}, which cannot be followed: ${(err as Error).message}`);
    }
  }
  const stat = lstatSync(file);
  if (!stat.isFile()) throw new Error(`the cookie file ${shown(path, file)} is not a plain file: remove it (the next node then makes a new one)`);
  const uid = process.platform !== 'win32' ? process.getuid?.() : undefined;
  if (uid === undefined) return file; // Windows: no owners by number, no modes; the user's folder protects it
  const mode = stat.mode & 0o777;
  if (stat.uid !== uid) {
    throw new Error(`the cookie file ${shown(path, file)} belongs to another user (uid ${stat.uid}), who decides what it says: remove it (the next node then makes a new one), or make it yours`);
  }
  if ((mode & 0o022) !== 0) {
    throw new Error(`the cookie file ${shown(path, file)} can be changed by other users (mode ${mode.toString(8)}), who would then decide your cookie: chmod 600 it`);
  }
  if ((mode & 0o077) !== 0) log.warning(`the cookie file ${shown(path, file)} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  return file;
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
