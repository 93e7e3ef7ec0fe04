// Every file of a stage stands in one place. exercises/<stage>/ holds the lesson
// (README.md), the hints (HINTS.md), the starter version of each file the learner
// edits, and the given files; solutions/<stage>/ holds only the solved versions of
// the learner's files. An import must reach the same file under every target
// (exercises, solutions, a wrong variant in .variant/): package.json's imports map
// gives each given file an exact key, `#stage/<stage>/<file>` -> exercises/, which wins
// over the `#stage/*` pattern that follows the target. So:
//   - a learner file imports a given file as `#stage/<stage>/<file>` (a relative
//     import finds no given file beside the solution, nor beside a variant);
//   - a given file imports a learner file as `#stage/<stage>/<file>` (a relative
//     import would always find the starter: the solutions would run the starter's code);
//   - learner files import each other, and given files each other, by relative paths.
// `stageFileProblems` says what breaks those rules, for `npm run verify` and for
// test/kit/stageFiles.test.ts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A stage's modules: those the learner edits (solved in solutions/) and those given (exercises/ only). */
export interface StageFiles {
  readonly stage: string;
  readonly learner: string[];
  readonly given: string[];
}

const STAGE = /^exercise\d+-[a-z0-9-]+$/;
const MODULE = /\.(ts|mts|js|mjs)$/;
const PATTERN = '#stage/*';

const filesOf = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile()).sort() : []);

/** What each stage of the kit at `root` holds. */
export function stageFiles(root: string): StageFiles[] {
  const exercises = join(root, 'exercises');
  if (!existsSync(exercises)) return [];
  return readdirSync(exercises)
    .filter((name) => STAGE.test(name))
    .sort()
    .map((stage) => {
      const solved = new Set(filesOf(join(root, 'solutions', stage)));
      const modules = filesOf(join(exercises, stage)).filter((name) => MODULE.test(name));
      return { stage, learner: modules.filter((name) => solved.has(name)), given: modules.filter((name) => !solved.has(name)) };
    });
}

/** The specifiers a module imports: static, dynamic, type-only and re-exports. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm),
    ...text.matchAll(/^import\s+'([^']+)'/gm),
    ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] as string);
}

/**
 * Everything that makes a file stand in two places, or an import reach another file under
 * another target, in the kit at `root` (only the stages named in `only`, if given).
 * Each problem says what to do.
 */
export function stageFileProblems(root: string, only?: string[]): string[] {
  const problems: string[] = [];
  const all = stageFiles(root);
  const stages = only ? all.filter((s) => only.includes(s.stage)) : all;
  const byStage = new Map(all.map((s) => [s.stage, s]));
  const rel = (path: string) => relative(root, path).split(sep).join('/');

  const solutionsDir = join(root, 'solutions');
  for (const name of existsSync(solutionsDir) ? readdirSync(solutionsDir) : []) {
    if (!byStage.has(name) && (!only || only.includes(name))) problems.push(`solutions/${name} is no stage of exercises/: a stage's solutions sit beside its lesson's folder, exercises/${name}/`);
  }

  const imports = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports?: Record<string, unknown> }).imports ?? {};
  if (!(PATTERN in imports)) problems.push(`package.json's imports has no "${PATTERN}": the stage tests cannot pick their target`);
  const keys = Object.keys(imports).filter((key) => key.startsWith('#stage/') && key !== PATTERN);

  for (const { stage, learner, given } of stages) {
    // ---- one place per file
    for (const [name, what] of [['README.md', 'the lesson'], ['HINTS.md', 'the hints']] as const) {
      if (!existsSync(join(root, 'exercises', stage, name))) problems.push(`exercises/${stage}/${name} is missing: ${what}`);
    }
    for (const name of filesOf(join(solutionsDir, stage))) {
      const solution = `solutions/${stage}/${name}`;
      const starter = join(root, 'exercises', stage, name);
      if (!MODULE.test(name)) problems.push(`${solution}: solutions/ holds only the solved versions of the learner's files; the lesson, the hints and anything else live in exercises/${stage}/ alone: git rm ${solution}`);
      else if (!existsSync(starter)) problems.push(`${solution} has no starter: the learner edits exercises/${stage}/${name}, which must exist (the solution with TODOs)`);
      else if (readFileSync(starter).equals(readFileSync(join(solutionsDir, stage, name)))) {
        problems.push(`${solution} is the same as exercises/${stage}/${name}: a file nobody solves is given, and lives in exercises/ alone (git rm ${solution}, and give it its key in package.json's imports)`);
      }
    }

    // ---- the exact keys: one for each given file, none for a learner file
    const keyOf = (name: string) => `#stage/${stage}/${name}`;
    for (const name of given) {
      const key = keyOf(name);
      if (!(key in imports)) problems.push(`exercises/${stage}/${name} is given but package.json's imports has no "${key}": "./exercises/${stage}/${name}" (before "${PATTERN}"), so under the solutions and variant targets it would be looked for where it is not`);
    }
    for (const name of learner) {
      if (keyOf(name) in imports) problems.push(`package.json's imports has "${keyOf(name)}", but the learner solves ${name}: that key would run the starter under every target; remove it`);
    }
    for (const key of keys.filter((k) => k.startsWith(`#stage/${stage}/`))) {
      const name = key.slice(`#stage/${stage}/`.length);
      const wanted = `./exercises/${stage}/${name}`;
      if (imports[key] !== wanted) problems.push(`package.json's imports maps "${key}" to ${JSON.stringify(imports[key])}: a given file's key points at "${wanted}", under every target`);
      else if (!existsSync(join(root, wanted))) problems.push(`package.json's imports has "${key}", but ${wanted.slice(2)} does not exist: remove the key, or give the file`);
    }

    // ---- imports between learner and given files
    const checkImports = (file: string, isLearner: boolean) => {
      for (const spec of importsOf(file)) {
        const named = /^#stage\/(exercise\d+-[a-z0-9-]+)\/(.+)$/.exec(spec);
        if (named) {
          const [, other, name] = named as unknown as [string, string, string];
          const files = byStage.get(other);
          if (!files || ![...files.learner, ...files.given].includes(name)) problems.push(`${rel(file)} imports ${spec}, which is no file of exercises/`);
          continue;
        }
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        const [top, other, name, ...deeper] = rel(target).split('/');
        const files = other ? byStage.get(other) : undefined;
        if (!files || !name || deeper.length > 0) continue;
        if (isLearner && (top === 'exercises' || top === 'solutions') && files.given.includes(name)) {
          problems.push(`${rel(file)} imports the given ${name} by the relative path ${spec}: write '#stage/${other}/${name}', which finds it under every target (there is no ${name} beside a solution or a variant)`);
        }
        if (!isLearner && top === 'exercises' && files.learner.includes(name)) {
          problems.push(`${rel(file)} (given) imports the learner's ${name} by the relative path ${spec}, which is always the starter: write '#stage/${other}/${name}', which follows the target`);
        }
      }
    };
    for (const name of given) checkImports(join(root, 'exercises', stage, name), false);
    for (const name of learner) {
      checkImports(join(root, 'exercises', stage, name), true);
      const solved = join(solutionsDir, stage, name);
      if (existsSync(solved)) checkImports(solved, true);
    }
  }

  // ---- keys of no stage
  for (const key of keys) {
    const stage = /^#stage\/([^/]+)\//.exec(key)?.[1];
    if (!stage || !byStage.has(stage)) problems.push(`package.json's imports has "${key}", which names no stage of exercises/`);
  }
  return problems;
}
