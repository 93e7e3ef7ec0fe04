// The warm-up's word count run on another node, started with another locale and
// time zone, as a worker on another laptop would run it (rpc.call names this module).
import { formatReason } from '../../lib/index.ts';
import * as wordCount from '#stage/exercise3-map-reduce/wordCount.ts';
import { runLocally } from '#stage/exercise3-map-reduce/steps.ts';

export const WORDS_ON_NODE = import.meta.url;

export interface Counted {
  /** The node's locale and time zone, as Intl sees them. */
  locale: string;
  timeZone: string;
  /** The word count of the text, or why map or reduce threw. */
  pairs?: Array<[string, unknown]>;
  error?: string;
}

export function countWords(text: string, mapJobs: number): Counted {
  const { locale, timeZone } = Intl.DateTimeFormat().resolvedOptions();
  try {
    return { locale, timeZone, pairs: runLocally(wordCount, text, mapJobs) };
  } catch (err) {
    return { locale, timeZone, error: formatReason(err as Error) };
  }
}
