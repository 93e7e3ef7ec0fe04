// What an interactive shell does to its own mailbox besides receive: iex's
// flush/0 takes every waiting message at once, and an input the user abandoned
// (Ctrl+C) must not leave a receive behind that would swallow the next message.
import { table } from './table.ts';

/** Takes every message waiting in the calling process's mailbox, oldest first. */
export function drainMailbox(): unknown[] {
  return table.current().mailbox.drain();
}

/** Ends the receives the calling process has waiting, with `why`. */
export function abandonReceives(why: Error): void {
  table.current().mailbox.abandonReceives(why);
}
