// Stage 3, warm-up: the map and reduce of a word count, run in this process
// (map on each chunk, group by word, reduce each group) and checked against a
// plain count of the same text, computed here in one loop.
import { describe, it } from 'vitest';
import * as wordCount from '#stage/exercise3-map-reduce/wordCount.ts';
import { runLocally } from '#stage/exercise3-map-reduce/steps.ts';
import { CORPUS_SEED, corpus } from '#stage/exercise3-map-reduce/corpus.ts';

/** The rule of the lesson, in one loop: lower-case, split on anything that is not a letter or a digit. */
function plainCount(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{Nd}]+/u)) {
    if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Runs the learner's map and reduce over `text` (cut into `mapJobs` chunks) and compares with the plain count. */
function expectCounts(what: string, text: string, mapJobs: number): void {
  const expected = plainCount(text);
  const got = new Map<string, unknown>();
  for (const [word, n] of runLocally(wordCount, text, mapJobs)) got.set(word, n);
  const wrong: string[] = [];
  for (const [word, n] of expected) {
    if (!got.has(word)) wrong.push(`${JSON.stringify(word)} is missing (it occurs ${n === 1 ? 'once' : `${n} times`})`);
    else if (got.get(word) !== n) wrong.push(`${JSON.stringify(word)} counts ${JSON.stringify(got.get(word))}, expected ${n}`);
  }
  for (const [word, n] of got) if (!expected.has(word)) wrong.push(`${JSON.stringify(word)} (${JSON.stringify(n)}) is not a word of the text`);
  if (wrong.length === 0) return;
  const examples = wrong.slice(0, 4).join('; ');
  throw new Error(
    `word count of ${what}: ${wrong.length} difference${wrong.length === 1 ? '' : 's'} from a plain count of its ${expected.size} words, e.g. ${examples}` +
      '\n(a word is a run of letters and digits, in any alphabet, lower-cased; anything else separates words)',
  );
}

const SMALL: Array<[string, string]> = [
  ['a sentence', 'The cat and the hat sat on the mat.'],
  ['capitals', 'Go GO go gO, Gopher!'],
  ['punctuation and apostrophes', "Don't stop: it's 9 o'clock (sharp)! Really? Yes... \"quoted\""],
  ['hyphens, underscores and digits', 'A well-known e-mail from node_name at 10:30, v2.0, 3.14 and 2024.'],
  ['letters beyond ASCII', 'Café, CAFÉ and café; Straße über Zürich; Ελλάδα, Москва, naïve señor'],
  // Cut into 3 chunks, some of them are blank or separators only.
  ['lines, blank lines, tabs and runs of spaces', 'one\ttwo   three\n\n ... -- !!! ?\nfour\r\n\t()\nfive  one\n  two\n'],
];

describe('stage 3 warm-up: word count', () => {
  for (const [what, text] of SMALL) {
    it(`warm-up: word count of ${what}`, () => expectCounts(JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text), text, 3));
  }

  it(`warm-up: word count of the corpus (about 1 MB, generated from seed ${CORPUS_SEED}) cut into 8 map jobs`, () => {
    expectCounts('the corpus', corpus(), 8);
  });
});
