// Which Node.js the kit runs on. The floor is package.json's `engines` (20.19:
// the first 20.x that vite 7, under the test runner, supports); 24 is the
// long-term-support line the kit is tested on besides 20. bin/distsys.js
// refuses an older Node.js before loading anything (a test keeps the two agreed).
import type { CheckResult } from './check.ts';

export const MIN_NODE = { major: 20, minor: 19 } as const;
/** The LTS line to recommend. */
export const RECOMMENDED_NODE = 24;

const INSTALL = [
  `Install Node.js ${RECOMMENDED_NODE} (LTS) from https://nodejs.org, or with a version manager:`,
  `  macOS, Linux: nvm install ${RECOMMENDED_NODE}  (or fnm, volta)`,
  `  Windows: the installer from nodejs.org, or nvm-windows / fnm / volta`,
  'then open a new terminal and run npx distsys doctor again.',
  "If you may not install software on this laptop, use the dev container (README, 'When your laptop cannot run the kit').",
];

/** Checks a Node.js version string such as `v20.19.0` (process.version) against what the kit needs. */
export function checkNodeVersion(version: string): CheckResult {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return { status: 'fail', summary: `cannot tell which Node.js this is (${JSON.stringify(version)})`, details: INSTALL };
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const shown = `Node.js v${m[1]}.${m[2]}.${m[3]}`;
  const floor = `${MIN_NODE.major}.${MIN_NODE.minor}`;
  if (major < MIN_NODE.major || (major === MIN_NODE.major && minor < MIN_NODE.minor)) {
    return { status: 'fail', summary: `${shown} is too old: the kit needs ${floor} or newer`, details: INSTALL };
  }
  const details: string[] = [];
  if (major === 20) details.push(`Node.js 20 reached its end of life in April 2026: the kit runs on it, ${RECOMMENDED_NODE} (LTS) is the better choice.`);
  else if (major % 2 === 1) details.push(`Node.js ${major} is not a long-term-support line; the kit is tested on 20 and ${RECOMMENDED_NODE}.`);
  return { status: 'ok', summary: `${shown} (the kit needs ${floor} or newer)`, details };
}
