// Wrong variants as verify reads them: headers, the problem's test files, and a
// diff that git applies to a copy of the solution.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, stages } from '../../tools/lessons.ts';
import { materialise, readVariants, removeMaterialised, testFilesOf, type Variant } from '../../tools/variants.ts';

afterAll(() => removeMaterialised('exercise1-connect'));

describe('wrong variants', () => {
  it("every stage's variants have a problem, a mistake and an expect, and name a problem that has tests", () => {
    for (const stage of stages()) {
      const { variants, errors } = readVariants(stage);
      expect(errors).toEqual([]);
      for (const v of variants) {
        expect(v.problem).toMatch(/^(warm-up|problem \d+|stretch)$/);
        expect(v.mistake.length).toBeGreaterThan(10);
        expect(testFilesOf(stage, v.problem).length, `${v.file}: tests of ${v.problem}`).toBeGreaterThan(0);
      }
    }
  });

  it('a variant materialises as the solution with its diff applied, and one that no longer applies says so', async () => {
    const { variants } = readVariants('exercise1-connect');
    const variant = variants.find((v) => v.slug === 'broadcast-skips-this-node') as Variant;
    await materialise(variant);
    const patched = readFileSync(join(ROOT, '.variant', 'exercise1-connect', 'pingPong.ts'), 'utf8');
    expect(patched).toContain("GenServer.abcast('consumer', { ping }, Node.list());");
    expect(readdirSync(join(ROOT, '.variant', 'exercise1-connect')).sort()).toEqual(readdirSync(join(ROOT, 'solutions', 'exercise1-connect')).sort());

    const stale: Variant = { ...variant, diff: variant.diff.replace("GenServer.abcast('consumer', { ping });", "GenServer.abcast('consumer', { pong });") };
    await expect(materialise(stale)).rejects.toThrow(/no longer applies to solutions\/exercise1-connect\//);
  });
});
