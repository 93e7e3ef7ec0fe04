// How the kit's Pid and Ref map onto Erlang's, both ways, without losing a bit.
//
// A pid: Erlang's NEW_PID_EXT has a 32-bit ID and a 32-bit Serial; the kit's Pid
// has one number. A kit pid's id below 2^32 is the ID with Serial 0; above, the
// Serial holds the rest (id = ID + Serial * 2^32). An Erlang pid becomes the kit
// Pid with that id, which is exact for every Serial below 2^21 (Erlang's serial
// grows once per 2^28 processes spawned, so no real pid comes near).
//
// A ref: Erlang's NEWER_REFERENCE_EXT has up to five 32-bit words, the first with
// 18 significant bits in a ref Erlang made itself. A kit ref's id becomes three words
// (id's low 18 bits, the next 32, the top 3); three words of exactly that shape come
// back as the kit ref with that id. Any other words (most Erlang refs: the third word
// is large) are kept in the Ref's `words`, and its id is derived from them.
import { ErlangCodecError } from './etfTags.ts';

const TWO_32 = 2 ** 32;
const TWO_18 = 2 ** 18;
const TWO_50 = 2 ** 50;

export interface PidParts {
  id: number;
  serial: number;
}

export function pidParts(id: number): PidParts {
  if (!Number.isSafeInteger(id) || id < 0) throw new ErlangCodecError(`a pid's number must be a non-negative safe integer, not ${id}`);
  return { id: id % TWO_32, serial: Math.floor(id / TWO_32) };
}

export function pidNumber(parts: PidParts): number {
  if (parts.serial >= 2 ** 21) throw new ErlangCodecError(`a pid with serial ${parts.serial} is beyond what the kit's Pid can hold (serials below 2^21)`);
  return parts.id + parts.serial * TWO_32;
}

/** The three words a kit ref with `id` travels as. */
export function refWords(id: number): number[] {
  if (!Number.isSafeInteger(id) || id < 0) throw new ErlangCodecError(`a ref's number must be a non-negative safe integer, not ${id}`);
  return [id % TWO_18, Math.floor(id / TWO_18) % TWO_32, Math.floor(id / TWO_50)];
}

/** The kit's view of a ref's words: its id, and the words themselves unless the id alone gives them back. */
export function refFromWords(words: readonly number[]): { id: number; words?: readonly number[] } {
  const [w0 = 0, w1 = 0, w2 = 0] = words;
  const id = (w0 % TWO_18) + w1 * TWO_18 + (w2 % 8) * TWO_50;
  const canonical = words.length === 3 && w0 < TWO_18 && w2 < 8;
  return canonical ? { id } : { id, words };
}
