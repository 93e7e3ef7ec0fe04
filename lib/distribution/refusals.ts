// Why a node turns a connection away, whatever protocol it speaks: the codes the
// net kernel acts on (a partition, a node stopping, two nodes dialling each other
// at once) and their words, which the kit's handshake carries in its `reject`
// frame and people read in the logs. Erlang's handshake has statuses instead
// (not_allowed, nok, alive); its transport maps them onto these codes.
import { HandshakeError } from './frameQueue.ts';

export { HandshakeError };

/**
 * The refusals a node acts on, by code; the words are what a `reject` frame carries and what
 * people read in the logs. Other refusals (a name that does not match) are words only.
 */
export const REFUSALS = {
  cookieMismatch: 'cookie mismatch',
  /** Both nodes dialled each other at once: one connection wins (which one is the protocol's rule). */
  simultaneous: 'simultaneous connect',
  partitioned: 'connection not allowed (partitioned)',
  stopping: 'node stopping',
  alreadyConnected: 'already connected',
  settingUp: 'a connection from you is being set up already',
  ownName: 'that is my own name',
} as const;
export type Refusal = keyof typeof REFUSALS;

const refusalOf = (reason: string): Refusal | undefined =>
  (Object.keys(REFUSALS) as Refusal[]).find((code) => REFUSALS[code] === reason);

/** Why a handshake ended without a connection; `rejectedBy` says which side refused, `code` which refusal it was. */
export class HandshakeRefused extends HandshakeError {
  readonly reason: string;
  readonly code: Refusal | undefined;
  readonly rejectedBy: 'peer' | 'us';
  constructor(message: string, reason: string, rejectedBy: 'peer' | 'us') {
    super(message);
    this.reason = reason;
    this.code = refusalOf(reason);
    this.rejectedBy = rejectedBy;
  }
}

/** What the acceptor does with a peer that proved it has the cookie. */
export type Decision = { accept: true; replace?: boolean } | { refuse: Refusal };
