// Why a connection to a peer ended, as data: the net kernel decides from the
// kind what to log and how loudly, and `describeClose` words it for people.
import { untrusted } from '../logger.ts';
export type CloseReason =
  /** The socket closed (the peer closed it, or its process died). */
  | { readonly kind: 'closed'; readonly code: number; readonly text: string }
  /** The peer said nothing for the tick time. */
  | { readonly kind: 'silent'; readonly ms: number; readonly tickTimeMs: number }
  /** The peer sent something that is not a frame of the protocol. */
  | { readonly kind: 'malformed'; readonly detail: string }
  /** A frame failed its MAC: written into the connection by someone without the session key (a relay), or damaged. */
  | { readonly kind: 'forged'; readonly frame: number }
  /** The peer sent a frame over the size limit. */
  | { readonly kind: 'oversized'; readonly detail: string }
  | { readonly kind: 'socket error'; readonly message: string }
  /** This node closed it: `Node.disconnect`, stopping, a partition, a newer connection to the same peer. */
  | { readonly kind: 'local'; readonly why: string }
  /** An Erlang distribution connection's socket closed or failed (erlang/connection.ts), in its words. */
  | { readonly kind: 'ended'; readonly why: string };

export function describeClose(reason: CloseReason, peer: string): string {
  switch (reason.kind) {
    case 'closed':
      return `connection closed (${reason.code}${reason.text ? ` ${untrusted(reason.text, 123)}` : ''})`;
    case 'silent':
      return `no answer for ${reason.ms} ms (tick time ${reason.tickTimeMs} ms)`;
    case 'malformed':
      return `malformed frame from ${peer}: ${untrusted(reason.detail)}`;
    case 'forged':
      return (
        `frame ${reason.frame} from ${peer} failed its authentication (MAC): it was written into the connection by someone ` +
        'without the session key (a program relaying the connection?) or damaged on the way; closed'
      );
    case 'oversized':
      return `peer sent an oversized frame${reason.detail ? ` (${reason.detail})` : ''}`;
    case 'socket error':
      return `socket error: ${reason.message}`;
    case 'local':
    case 'ended':
      return reason.why;
  }
}

/** Whether the peer misbehaved or vanished (worth a warning), rather than a close someone chose. */
export function isTrouble(reason: CloseReason): boolean {
  return reason.kind === 'malformed' || reason.kind === 'forged' || reason.kind === 'oversized' || reason.kind === 'silent';
}
