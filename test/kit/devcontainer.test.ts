// The dev container, for an attendee whose laptop cannot run the kit: its
// definition parses, starts from the official Node.js image at a long-term-
// support major the kit is tested on, installs the kit on create and forwards
// the ports the stages use. (No container registry is reachable from CI, so it
// is not built here.)
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_EPMD_PORT } from '../../lib/epmd/protocol.ts';
import { MIN_NODE, RECOMMENDED_NODE } from '../../apps/doctor/nodeVersion.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The storage's port in the README's examples (`--port 4380`). */
const STORAGE_PORT = 4380;
/** The Node.js majors the README says the kit is tested on; 20 reached its end of life in April 2026. */
const TESTED = [20, 24];
const END_OF_LIFE = [20];

const definition = z.object({
  name: z.string(),
  image: z.string(),
  remoteUser: z.string().optional(),
  containerEnv: z.record(z.string(), z.string()).optional(),
  onCreateCommand: z.string(),
  postCreateCommand: z.string().optional(),
  forwardPorts: z.array(z.number().int()),
  portsAttributes: z.record(z.string(), z.object({ label: z.string() }).passthrough()).optional(),
});

describe('the dev container', () => {
  const text = readFileSync(join(ROOT, '.devcontainer/devcontainer.json'), 'utf8');

  it('parses, and names the official Node.js image by a supported long-term-support major', () => {
    const parsed = definition.parse(JSON.parse(text));
    // Docker Hub's official image is `node` (library/node), tagged `<major>` or `<major>-<debian release>`.
    const m = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:-(bookworm|trixie|bullseye))?$/.exec(parsed.image);
    expect(m, `${parsed.image} is not the official Node.js image at a major version (node:24-bookworm)`).not.toBeNull();
    const major = Number(m?.[1]);
    expect(major % 2, 'an even major: a long-term-support line').toBe(0);
    expect(major).toBeGreaterThanOrEqual(MIN_NODE.major);
    expect(TESTED).toContain(major);
    expect(END_OF_LIFE).not.toContain(major);
    expect(major).toBe(RECOMMENDED_NODE);
  });

  it('installs the kit on create, tells the doctor it is in a container, and forwards the ports the stages use', () => {
    const parsed = definition.parse(JSON.parse(text));
    expect(parsed.onCreateCommand).toBe('npm install');
    expect(parsed.containerEnv?.DISTSYS_IN_CONTAINER).toBe('1');
    expect(parsed.forwardPorts).toEqual(expect.arrayContaining([DEFAULT_EPMD_PORT, STORAGE_PORT]));
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`--port ${STORAGE_PORT}`);
  });
});
