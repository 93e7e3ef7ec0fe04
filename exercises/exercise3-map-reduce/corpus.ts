// The larger text the warm-up is graded on, and the benchmark counts: about a
// megabyte of made-up prose, generated from a fixed seed, so every laptop gets
// the same text without a download and the repository carries no big file.
// Word frequencies fall off like a natural language's (a few words are very
// common, most are rare), and it holds the cases the rule for words must get
// right: capitals, punctuation, apostrophes, hyphens, underscores, digits and
// letters beyond ASCII.

import { generator } from '../../lib/cluster/faults.ts'; // the harness's seeded generator (mulberry32): a fixed sequence per seed

/** The seed of the shipped corpus; another seed gives another text of the same kind. */
export const CORPUS_SEED = 20_240_917;
/** Its size in characters (a little more: it ends with a whole paragraph). */
export const CORPUS_CHARS = 1_000_000;

const COMMON = (
  'the of and to a in is it that was he for on are as with his they at be this from i have or by one had not but what all were when ' +
  'we there can an your which their said if do will each about how up out them then she many some so these would other into has ' +
  'more her two like him see time could no make than first been its who now people my made over did down only way find use may ' +
  'water long little very after words called just where most know get through back much before go good new write our used me man ' +
  'too any day same right look think also around another came come work three word must because does part even place well such'
).split(' ');

// Words that only a careful split gets right.
const TRICKY = [
  "don't", "it's", "o'clock", "we'll", "rock'n'roll", 'well-known', 'map-reduce', 'e-mail', 'node_name', 'max_restarts', '__proto__',
  'café', 'naïve', 'straße', 'señor', 'smørrebrød', 'über', 'ångström', 'façade', 'jalapeño', 'crème', 'Zürich', 'São', 'Ελλάδα', 'Москва',
  '2024', '42', '1999', '3.14', '10,000', '7th', 'mp3', 'ipv6', 'h2o', 'NASA', 'HTTP', 'TCP/IP', 'U.S.A.', '(sic)', '"quoted"', 'end.',
];

const SYLLABLES = 'ba be bi bo bu da de di do du fa fe fi ka ke ko la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so ta te ti to tu va ve vi za zo'.split(' ');
const ENDINGS = ['', '', '', 'n', 's', 'r', 'l', 'th', 'x', 'nd'];


/** A made-up text of about `chars` characters (lines of at most 72), the same for the same seed. */
export function corpus(seed = CORPUS_SEED, chars = CORPUS_CHARS): string {
  const random = generator(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

  // The vocabulary, most frequent first: common words, then made-up ones with the tricky ones spread among them.
  const invented = new Set<string>();
  while (invented.size < 4_000) {
    const length = 1 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < length; i++) word += pick(SYLLABLES);
    invented.add(word + pick(ENDINGS));
  }
  const vocabulary = [...COMMON, ...invented];
  TRICKY.forEach((word, i) => vocabulary.splice(40 + i * 60, 0, word));

  // Zipf's law: the word of rank k turns up about 1/k as often as the first.
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 1; k <= vocabulary.length; k++) cumulative.push((total += 1 / k));
  const word = (): string => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo] as string;
  };

  const sentence = (): string => {
    const words: string[] = [];
    const length = 4 + Math.floor(random() * 14);
    for (let i = 0; i < length; i++) {
      let w = word();
      if (i === 0 || random() < 0.04) w = w.charAt(0).toUpperCase() + w.slice(1);
      words.push(w + (i < length - 1 && random() < 0.08 ? pick([',', ',', ';', ':', ' -']) : ''));
    }
    return words.join(' ') + pick(['.', '.', '.', '.', '?', '!', '...']);
  };

  const paragraphs: string[] = [];
  let size = 0;
  while (size < chars) {
    const lines: string[] = [];
    let line = '';
    const sentences = 2 + Math.floor(random() * 6);
    for (let s = 0; s < sentences; s++) {
      for (const w of sentence().split(' ')) {
        if (line !== '' && line.length + 1 + w.length > 72) {
          lines.push(line);
          line = w;
        } else {
          line = line === '' ? w : `${line} ${w}`;
        }
      }
    }
    lines.push(line);
    const paragraph = lines.join('\n');
    paragraphs.push(paragraph);
    size += paragraph.length + 2;
  }
  return paragraphs.join('\n\n');
}
