// The short code of a url: a deterministic function of the url, so every node
// computes the same code for the same url without asking anyone.
//
//   code = the first 36 bits of SHA-256(url), as 6 base64url characters (A-Z a-z 0-9 - _)
//
// 36 bits make 68.7 billion codes, yet two urls share one sooner than that suggests
// (the birthday problem): among 10,000 links the chance that some pair collides is
// about 0.07 %, among 100,000 about 7 %, and among a million it is all but
// certain. So a collision is a case to handle, never to ignore: storing the second
// url under the same code would silently send the first link's visitors to it.
// When the store already holds another url under a code, create moves on to the
// next candidate, `shortCode(url, 1)`, then 2, … (SHA-256 of "1 " + url, and so on):
// the first code whose slot is free or already holds this very url. Without a
// collision (nearly always) that is candidate 0, a pure function of the url.
import { createHash } from 'node:crypto';

/** How many candidates create tries before it gives up on a url (every one held by another url). */
export const MAX_CANDIDATES = 8;

/** The code pattern; anything else in a path is not a code. */
export const CODE_PATTERN = /^[A-Za-z0-9_-]{6}$/;

/** The `attempt`-th candidate code of `url` (0 for the first); the same on every node, every time. */
export function shortCode(url: string, attempt = 0): string {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`shortCode: attempt must be a whole number, not ${attempt}`);
  // A url starts with its scheme, a letter, so "1 https://…" is never another url's first candidate.
  const input = attempt === 0 ? url : `${attempt} ${url}`;
  return createHash('sha256').update(input).digest().subarray(0, 6).toString('base64url').slice(0, 6);
}
