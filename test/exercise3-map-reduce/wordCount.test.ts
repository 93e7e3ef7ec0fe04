// Stage 3, warm-up: the map and reduce of a word count, run in this process
// (map on each chunk, group by word, reduce each group) and checked against a
// plain count of the same text, computed here in one loop. Then the same count on
// a node started with another locale and time zone: every worker of a cluster
// must turn the same word into the same key, whatever machine it runs on.
import { afterAll, describe, it } from 'vitest';
import { rpc, type NodeName } from '../../lib/index.ts';
import { LocalCluster } from '../../lib/cluster/index.ts';
import * as wordCount from '#stage/exercise3-map-reduce/wordCount.ts';
import { runLocally, splitInput } from '#stage/exercise3-map-reduce/steps.ts';
import { CORPUS_SEED, corpus } from '#stage/exercise3-map-reduce/corpus.ts';
import { WORDS_ON_NODE, type Counted } from './wordsOnNode.ts';

/** The rule of the lesson, in one loop: lower-case, split on anything that is not a letter or a digit. */
function plainCount(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{Nd}]+/u)) {
    if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** The learner's map and reduce over `text` cut into `mapJobs` chunks, here; a chunk that makes map throw is named. */
function countHere(text: string, mapJobs: number): Array<[string, unknown]> {
  try {
    return runLocally(wordCount, text, mapJobs);
  } catch (err) {
    const chunk = splitInput(text, mapJobs).find((c) => {
      try {
        wordCount.map(c);
        return false;
      } catch {
        return true;
      }
    });
    if (chunk === undefined) throw err;
    const what = chunk.trim() === '' ? `${JSON.stringify(chunk)}, a chunk with no words (a text cut into more chunks than it has lines leaves empty ones)` : JSON.stringify(chunk.slice(0, 60));
    throw new Error(`map threw on the chunk ${what}: ${(err as Error).message}`);
  }
}

/** Compares a word count of `text` with the plain count; throws the differences in the stage's words. */
function expectCounts(what: string, text: string, counted: Array<[string, unknown]>, rule = '(a word is a run of letters and digits, in any alphabet, lower-cased; anything else separates words)'): void {
  const expected = plainCount(text);
  const got = new Map<string, unknown>();
  for (const [word, n] of counted) got.set(word, n);
  const wrong: string[] = [];
  for (const [word, n] of expected) {
    if (!got.has(word)) wrong.push(`${JSON.stringify(word)} is missing (it occurs ${n === 1 ? 'once' : `${n} times`})`);
    else if (got.get(word) !== n) wrong.push(`${JSON.stringify(word)} counts ${JSON.stringify(got.get(word))}, expected ${n}`);
  }
  for (const [word, n] of got) if (!expected.has(word)) wrong.push(`${JSON.stringify(word)} (${JSON.stringify(n)}) is not a word of the text`);
  if (wrong.length === 0) return;
  const examples = wrong.slice(0, 4).join('; ');
  throw new Error(`word count of ${what}: ${wrong.length} difference${wrong.length === 1 ? '' : 's'} from a plain count of its ${expected.size} words, e.g. ${examples}\n${rule}`);
}

const short = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

const SMALL: Array<[string, string]> = [
  ['a sentence', 'The cat and the hat sat on the mat.'],
  ['capitals', 'Go GO go gO, Gopher!'],
  ['punctuation and apostrophes', "Don't stop: it's 9 o'clock (sharp)! Really? Yes... \"quoted\""],
  ['hyphens, underscores and digits', 'A well-known e-mail from node_name at 10:30, v2.0, 3.14 and 2024.'],
  ['letters beyond ASCII', 'Café, CAFÉ and café; Straße über Zürich; Ελλάδα, Москва, naïve señor'],
  // Cut into 3 chunks, some of them are blank or separators only.
  ['lines, blank lines, tabs and runs of spaces', 'one\ttwo   three\n\n ... -- !!! ?\nfour\r\n\t()\nfive  one\n  two\n'],
];

/** Another laptop: a Turkish locale (where "I" lower-cases to the dotless "ı") and a time zone far from this one. */
const ELSEWHERE = { LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8', LANGUAGE: 'tr', TZ: 'Asia/Kathmandu' };
/** Words that lower-case differently under a Turkish locale: the rule's lower case is the same everywhere. */
const DOTTED = 'It is Istanbul, IRIS and İzmir: DIŞ, Iğdır, KIRK and IKI. Ice in Iowa.';

let elsewhere: NodeName | undefined;
afterAll(async () => {
  if (elsewhere) await LocalCluster.stopNodes([elsewhere]);
});

describe('stage 3 warm-up: word count', () => {
  for (const [what, text] of SMALL) {
    it(`warm-up: word count of ${what}`, () => expectCounts(short(text), text, countHere(text, 3)));
  }

  it('warm-up: word count of a single word, cut into 3 chunks (two of them empty)', () => expectCounts('"Hello"', 'Hello', countHere('Hello', 3)));

  it(`warm-up: word count of the corpus (about 1 MB, generated from seed ${CORPUS_SEED}) cut into 8 map jobs`, () => {
    const text = corpus();
    expectCounts('the corpus', text, countHere(text, 8));
  });

  it('warm-up: the same words on a worker whose machine has another locale and time zone (a node started with LANG=tr_TR.UTF-8, TZ=Asia/Kathmandu)', async () => {
    const env = Object.entries(ELSEWHERE).map(([k, v]) => `${k}=${v}`).join(' ');
    // Every short text of this file, and words that lower-case differently there.
    const text = [...SMALL.map(([, t]) => t), DOTTED].join('\n');
    // Wrong here already: no need to start a node to say so.
    expectCounts(`the short texts and ${short(DOTTED)}`, text, countHere(text, 3));
    await LocalCluster.start();
    [elsewhere] = await LocalCluster.startNodes('words', 1, { env: ELSEWHERE });
    const rule =
      '(map must split and lower-case every text the same way on every machine, whatever its locale (LANG, LC_ALL) or time zone: ' +
      'the same word must give the same key on every worker, or its count is split between keys)';
    const counted = await rpc.call<Counted>(elsewhere as NodeName, WORDS_ON_NODE, 'countWords', [text, 3]);
    const where = `on a node started with ${env} (its locale: ${counted.locale})`;
    if (counted.error) throw new Error(`word count of the short texts ${where}: map or reduce threw: ${counted.error}`);
    expectCounts(`the short texts and ${short(DOTTED)} ${where}`, text, counted.pairs ?? [], rule);
  });
});
