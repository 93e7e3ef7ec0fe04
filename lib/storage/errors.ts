// How a storage command fails, the same whichever store answers (the embedded
// one or Redis): a StorageError whose `reason` says what kind of failure it is.
import type { CommandName, CommandResult } from './protocol.ts';

export type StorageFailure =
  /** The storage refused the command (unknown, bad argument, WRONGTYPE, not an integer, full): the message is its own. */
  | 'rejected'
  /** The storage refused the client: no token or a wrong one in the URL. */
  | 'denied'
  /** Nothing answers at the URL. */
  | 'unreachable'
  /** No answer in time, or the connection broke mid-command: the command may or may not have run. */
  | 'timeout'
  | 'broken'
  /** The storage failed to do it (its journal could not be written), or answered nonsense. */
  | 'failed'
  /** No URL, or not a usable one. */
  | 'config';

export class StorageError extends Error {
  override name = 'StorageError';
  readonly reason: StorageFailure;
  /** The command that failed, if one was sent. */
  readonly command: CommandName | undefined;
  constructor(message: string, reason: StorageFailure, command?: CommandName, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.command = command;
  }
}

/** Sends one command to a storage and returns its result, or throws a StorageError. */
export type Call = <C extends CommandName>(command: C, args: unknown[]) => Promise<CommandResult<C>>;
