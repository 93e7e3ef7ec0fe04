// Problem 1's verdicts on create and storeLink: when a create goes wrong, what the
// store holds tells which mistake it was, so the failure can name it.
import { vi } from 'vitest';
import { Storage, type NodeName } from '../../lib/index.ts';
import { MAX_CANDIDATES, shortCode } from '#stage/exercise4-link-shortener/shortCode.ts';
import { linkKey } from '#stage/exercise4-link-shortener/store.ts';
import { label } from '../support/stage.ts';
import { expectCreated, shown, type Answer } from './api.ts';
import type { Asked } from './storeGate.ts';

/** What the store holds under `code` (the test reads it directly, not through the nodes' door). */
export const stored = (code: string): Promise<string | null> => Storage.connect().get(linkKey(code));

/** The commands the store saw on one slot, for a failure message: `get, get, set (no nx), set (no nx)`. */
export const showAsked = (asked: Asked[]): string =>
  asked.length ? asked.map((a) => (a.command === 'set' ? `set${a.nx ? ' nx' : ' (no nx)'}` : a.command)).join(', ') : '(not seen)';

/** expectCreated for problem 1, where a create never waits for the other nodes. */
export function expectCreatedEverywhere(answer: Answer, node: NodeName, url: string, code: string): string {
  if (answer.status === 503) {
    throw new Error(
      `POST / url=${url} on ${label(node)} answered ${shown(answer)}: with full replication, create answers once the link is stored, without waiting for the other nodes' caches to confirm. A node that runs no shortener (the test's manager, an operator's shell) never confirms, and one that is slow or cut off would hold up every create, though a node that misses the broadcast reads the store anyway`,
    );
  }
  return expectCreated(answer, node, url, code);
}

/** Why two colliding urls, created one after the other, both got `code`: what the store holds says which mistake it was. */
export async function sameCodeFor(first: string, second: string, code: string, node: NodeName): Promise<string> {
  const holds = await stored(code);
  const head = `${first} and ${second}, whose codes collide, both got ${code}`;
  if (holds === second) {
    return `${head}, which now holds ${second}: the second create overwrote the first link. A slot that holds another url is never written again: claim it with { nx: true }, and try the next candidate when the claim is refused`;
  }
  // Stored under another candidate a moment later: by a storeLink that create did not wait for.
  let elsewhere: string | undefined;
  try {
    await vi.waitFor(
      async () => {
        for (let attempt = 1; attempt < MAX_CANDIDATES && !elsewhere; attempt++) if ((await stored(shortCode(second, attempt))) === second) elsewhere = shortCode(second, attempt);
        if (!elsewhere) throw new Error('not stored elsewhere');
      },
      { timeout: 1_000, interval: 50 },
    );
  } catch {
    // not stored elsewhere
  }
  if (elsewhere) {
    return `${head}: create on ${label(node)} answered ${code} for ${second}, but storeLink stored ${second} under ${elsewhere} (${code} holds ${first}): create answered before storeLink had finished; it must wait for storeLink and answer the code storeLink claimed`;
  }
  return `${head}, which holds ${first}: ${second}'s short link leads to another url. The store refused the claim on ${code} ({ nx: true } answered false): the slot is taken, and unless it holds this very url, storeLink must try the next candidate`;
}
