// Every shell transcript on a slide, typed into real `distsys shell`s in the
// order the deck shows them, prompt numbers included: what each line prints
// must be what the slide says, so the slides cannot drift from the kit.
// `myhost` stands for this machine's short name; pid and reference numbers may
// differ; a list of nodes may come in any order; a line that only reads (such
// as `Node.list()`) may be typed again until the mesh has settled.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Shell } from '../support/shell.ts';
import { waitFor } from '../support/wait.ts';
import { transcripts, type Action } from './transcripts.ts';

const SLIDES = new URL('../../slides/', import.meta.url).pathname;
const host = hostname().split('.')[0] as string;
const decks = readdirSync(SLIDES).filter((f) => /^\d\d-.+\.md$/.test(f)).sort();

/** Lines that only read, so typing them again until they match is fair (the mesh settles, casts arrive). */
const READS = /^(Node\.list\(\)(\.sort\(\))?|Node\.getCookie\(\)|\[await count\(n\d\), await count\(n\d\)\]|\[n\d(, n\d)*\])$/;

const normal = (text: string) =>
  text
    .replaceAll('myhost', host)
    .replace(/#(PID|Reference)<([^>.]+)\.\d+>/g, '#$1<$2.N>')
    .replace(/\s+/g, ' ')
    .trim();
/** A printed list of node names, in any order. */
const asSet = (text: string) => (/^\[ ('[\w-]+@[\w-]+'(, )?)+ \]$/.test(text) ? text.slice(2, -2).split(', ').sort().join(', ') : text);
const same = (printed: string, expected: string) => asSet(normal(printed)) === asSet(normal(expected));

const TYPE_MS = 45_000;
const shells = new Map<string, Shell>();
afterAll(() => shells.forEach((s) => s.kill()));

async function leave(name: string): Promise<void> {
  const shell = shells.get(name);
  shells.delete(name);
  if (shell) expect(await shell.close(), `${name}'s shell should leave cleanly on Ctrl+D`).toBe(0);
}

async function open(name: string, args: string[]): Promise<Shell> {
  await leave(name);
  // The decks show the reference solutions at work (as an instructor's shell started with DISTSYS_TARGET=solutions).
  const shell = await Shell.start(args, { DISTSYS_TARGET: 'solutions' });
  shells.set(name, shell);
  return shell;
}

async function act(action: Action, where: string): Promise<void> {
  switch (action.kind) {
    case 'start':
      await open(action.shell, action.args);
      return;
    case 'leave':
      await leave(action.shell);
      return;
    case 'greeting': {
      const shell = shells.get(action.shell);
      expect(shell?.printed, `${where}: ${action.shell}'s greeting`).toContain(normal(action.line));
      return;
    }
    case 'printed': {
      const shell = shells.get(action.shell);
      if (!shell) throw new Error(`${where}: no shell ${action.shell} is running to print ${action.lines.join(' ')}`);
      for (const line of action.lines) await shell.waitFor(new RegExp(normal(line).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      return;
    }
    case 'prompt':
    case 'type': {
      let shell = shells.get(action.shell);
      // A transcript that starts again at 1 is a fresh shell (the deck says so in its notes).
      if (!shell || (action.prompt === 1 && shell.prompt !== 1)) shell = await open(action.shell, ['--sname', action.shell]);
      expect(shell.prompt, `${where}: the slide shows prompt ${action.prompt} of ${action.shell}, the shell is at ${shell.prompt}`).toBe(action.prompt);
      if (action.kind === 'prompt') return;
      const expected = action.output.join('\n');
      const logBefore = shell.log.length;
      const input = action.input.replaceAll('myhost', host);
      // Bounded, generously: a line may start nodes, which takes seconds on a busy 2-core machine.
      let printed = await shell.type(input, TYPE_MS);
      if (!same(printed, expected) && READS.test(action.input)) {
        await waitFor(async () => {
          if (!same(printed, expected)) printed = await (shell as Shell).type(input, TYPE_MS);
          expect(same(printed, expected)).toBe(true);
        }, 10_000, 50).catch(() => undefined);
      }
      expect(normal(printed), `${where}: ${action.shell}> ${action.input}`).toBe(asSet(normal(printed)) === asSet(normal(expected)) ? normal(printed) : normal(expected));
      for (const line of action.log) {
        const text = normal(line).replace(/^\[\w+@\S+\] \w+: /, '');
        await waitFor(() => expect(normal(shell.log.slice(logBefore)), `${where}: ${action.shell} logs`).toContain(text), 5_000);
      }
      return;
    }
  }
}

const byDeck = decks.map((deck) => [deck, transcripts(readFileSync(join(SLIDES, deck), 'utf8'))] as const);

// A deck may show code rather than shell sessions; the decks together must have some to check.
it('the decks have shell transcripts to check', () => expect(byDeck.reduce((n, [, found]) => n + found.length, 0)).toBeGreaterThan(0));

for (const [deck, found] of byDeck) {
  describe.skipIf(found.length === 0)(`the shell transcripts of slides/${deck}`, () => {
    for (const t of found) {
      it(`"${t.slide}" (line ${t.line})`, async () => {
        for (const action of t.actions) await act(action, `slides/${deck}:${t.line} "${t.slide}"`);
      }, 180_000);
    }
  });
}
