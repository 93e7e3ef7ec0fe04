// The size of the code on every slide as the room sees it: each built deck is
// opened in headless Chromium at 1280x720 and every code element measured as
// drawn, after Marp's auto-scaling (a code block whose longest line is wider
// than the slide is shrunk until it fits, by as much as it takes). Computed
// font size times the scale it is drawn at, in pixels of a 1280x720 slide.
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { CHROMIUM, launch } from '../test/support/browser.ts';

/**
 * The smallest code a slide may show, in pixels of a 1280x720 slide: the theme's own size for
 * code (Marp's default theme: 0.85 of its 29 px text, 24.65 px) rounded down, so code may not
 * be shrunk to fit. Why that is the floor: on a screen 3 m wide (a pixel is 2.3 mm) 24 px code
 * has capitals about 4 cm high, which subtend the 16 minutes of arc that display ergonomics
 * (ISO 9241-3) ask of characters from up to about 8.5 m away, the back of a workshop room;
 * the 16 px that Marp's shrinking left on two slides reached that only from 5.8 m.
 */
export const MIN_CODE_PX = 24;

/** Frames in a row with the same sizes before a slide counts as drawn. */
const STABLE_FRAMES = 3;
/** How long a slide may take to be shown and scaled. */
const SHOWN_WITHIN_MS = 10_000;

export interface SmallCode {
  readonly deck: string;
  /** 1-based, as the deck's page number and `#N` in its address. */
  readonly slide: number;
  /** What is wrong, in px of a 1280x720 slide: `code drawn at 16.1 px`, or `code runs 40 px off the slide`. */
  readonly problem: string;
  /** The first characters of that code. */
  readonly code: string;
}

/** Why the sizes cannot be measured here (no Chromium), or undefined when they can. */
export const cannotMeasure = (): string | undefined =>
  CHROMIUM ? undefined : 'no Chromium here (apt-get install chromium, or set DISTSYS_CHROMIUM to one)';

/**
 * Every slide of `decks` (built .html files, with the name to report each by) whose code is
 * drawn under MIN_CODE_PX, or runs past the slide's bottom edge (a slide that is too long
 * does not shrink: what does not fit is cut off).
 */
export async function smallCode(decks: readonly { readonly name: string; readonly html: string }[]): Promise<SmallCode[]> {
  const browser = await launch();
  try {
    const found: SmallCode[] = [];
    for (const { name, html } of decks) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(pathToFileURL(html).href);
      await page.evaluate(() => document.fonts.ready);
      const count = await page.locator('section[id]').count();
      for (let slide = 1; slide <= count; slide++) {
        const codes = await drawnCode(page, slide);
        const smallest = codes.reduce<Drawn | undefined>((a, c) => (a && a.px <= c.px ? a : c), undefined);
        if (smallest && smallest.px < MIN_CODE_PX) found.push({ deck: name, slide, problem: `code drawn at ${smallest.px.toFixed(1)} px`, code: smallest.text });
        const cut = codes.find((c) => c.below > 0.5);
        if (cut) found.push({ deck: name, slide, problem: `code runs ${Math.round(cut.below)} px off the bottom of the slide`, code: cut.text });
      }
      await page.close();
    }
    return found;
  } finally {
    await browser.close();
  }
}

interface Drawn {
  /** The code's font size as drawn, in px of a 1280x720 slide. */
  readonly px: number;
  /** How far its bottom is below the slide's, in px of the slide (negative: inside). */
  readonly below: number;
  readonly text: string;
}

/**
 * Shows slide `slide` (1-based) as the presenter would, then measures its code once Marp has
 * scaled it. Marp scales from resize observers, which report only on what is rendered, and a
 * slide not shown is not rendered (content-visibility: hidden): so each slide is shown in turn,
 * and measured when each block it scales has its picture's viewBox (the observers have
 * reported) and nothing has changed for STABLE_FRAMES frames.
 */
async function drawnCode(page: Page, slide: number): Promise<Drawn[]> {
  await page.evaluate((n) => {
    location.hash = `#${n}`;
  }, slide);
  const measured = await page.waitForFunction(
    ({ n, frames }) => {
      const section = document.querySelector(`section[id="${n}"]`);
      if (!section?.closest('svg')?.classList.contains('bespoke-marp-active')) return false;
      const pictures = Array.from(section.querySelectorAll('[data-auto-scaling]'), (el) =>
        el.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg'),
      );
      if (pictures.some((svg) => !svg?.getAttribute('viewBox'))) return false;
      const box = section.getBoundingClientRect();
      const slideScale = box.width / (section as HTMLElement).offsetWidth;
      const codes = Array.from(section.querySelectorAll('code'))
        .filter((code) => code.offsetHeight > 0)
        .map((code) => {
          // The scale Marp draws a scaled block at: its picture's size over its viewBox ("meet": the smaller ratio).
          const svg = code.closest('[data-auto-scaling]')?.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg');
          const viewBox = svg?.viewBox.baseVal;
          const picture = svg?.getBoundingClientRect();
          const scale = viewBox && picture && viewBox.width > 0 && viewBox.height > 0 ? Math.min(picture.width / viewBox.width, picture.height / viewBox.height) : slideScale;
          return {
            px: (Number.parseFloat(getComputedStyle(code).fontSize) * scale) / slideScale,
            below: (code.getBoundingClientRect().bottom - box.bottom) / slideScale,
            text: (code.textContent ?? '').trim().slice(0, 40),
          };
        });
      const seen = window as unknown as { lastMeasure?: string; sameFor?: number };
      const now = `${n} ${JSON.stringify(codes)}`;
      seen.sameFor = seen.lastMeasure === now ? (seen.sameFor ?? 0) + 1 : 0;
      seen.lastMeasure = now;
      return seen.sameFor >= frames ? codes : false;
    },
    { n: slide, frames: STABLE_FRAMES },
    { polling: 'raf', timeout: SHOWN_WITHIN_MS },
  );
  return (await measured.jsonValue()) as Drawn[];
}
