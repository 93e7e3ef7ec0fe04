// Warm-up: the word count, the "hello world" of map/reduce. `map` gets one chunk
// of the text (some whole lines) and says, for every word in it, "I saw this
// word"; `reduce` gets every value emitted for one word and answers how often the
// word occurs in the whole text. Neither knows about nodes or storage: the
// master and the workers run them (problem 1), and so does `runLocally`.
//
// A word is a run of letters and digits, in any alphabet ('café', 'straße' and
// '2024' are words), lower-cased; anything else (spaces, punctuation,
// apostrophes, hyphens, underscores) separates words. Workers run on different
// machines: a word must give the same key on every one of them, whatever its
// language settings (locale) or time zone.
//
// Make the tests pass: npm test -- exercise3 -t "warm-up"
import type { Pair } from '#stage/exercise3-map-reduce/job.ts';

/** One pair per word of `chunk`, lower-cased: `map('The cat, the hat')` gives the, cat, the, hat, each with 1. */
export function map(chunk: string): Array<Pair<number>> {
  // TODO: a pair [word, 1] for every word of the chunk, in order. A word is a run of letters
  // and digits (in any alphabet), lower-cased the same way on every machine; every other
  // character ends a word and belongs to none. An empty chunk, or one of separators only, has
  // no words.
  void chunk;
  return [];
}

/** How often `word` occurs in the text, from every value the map jobs emitted for it. */
export function reduce(word: string, counts: number[]): number {
  // TODO: the number of times `word` occurs in the whole text, given every value that
  // map emitted for it (from every chunk).
  void word;
  void counts;
  return 0;
}
