// A real headless Chromium for the browser tests: Debian's `chromium` (or the
// one DISTSYS_CHROMIUM names) driven by playwright-core, which downloads no
// browser of its own. The flags keep it off the network (it would keep trying
// the closed one); Playwright gives each launch a fresh profile. Where no
// Chromium is installed the browser tests are skipped with that reason, except
// in CI, where .ci/run installs it and a missing browser is a failure.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = [process.env.DISTSYS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
export const CHROMIUM = CANDIDATES.find((p) => existsSync(p));
/** Why the browser tests cannot run here, or undefined when they can. */
export const NO_BROWSER = CHROMIUM || process.env.CI ? undefined : `no Chromium here (looked for ${CANDIDATES.join(', ')}; apt-get install chromium, or set DISTSYS_CHROMIUM)`;

export async function launch(): Promise<Browser> {
  if (!CHROMIUM) throw new Error(`no Chromium: looked for ${CANDIDATES.join(', ')} (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Every console error and uncaught exception of `page`, for checking that there were none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return errors;
}
