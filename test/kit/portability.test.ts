// Nothing Linux-only where Node.js offers a portable way: the kit's own code
// (lib/, apps/, bin/, tools/, bench/) runs on attendees' macOS and Windows laptops,
// while CI runs on Linux only. A new Linux-only call fails this test, which
// names the file, the line and the portable way (test/support/portability.ts).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan, type Finding } from '../support/portability.ts';
import { specifier } from '../../lib/rpc.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry) ? [path] : [];
  });
}

/** `files` and every file of the repository they import by a relative path, transitively. */
function withImports(files: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
      const next = normalize(join(dirname(file), m[1] as string));
      if (existsSync(join(ROOT, next))) visit(next);
    }
  };
  files.forEach(visit);
  return [...seen];
}

const shown = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line}: ${f.code}\n    ${f.why}`).join('\n');

describe('the kit runs on macOS and Windows too', () => {
  it('lib/, apps/, bin/, tools/ and bench/ make no Linux-only call', () => {
    const files = ['lib', 'apps', 'bin', 'tools', 'bench'].flatMap(sources);
    expect(files.length).toBeGreaterThan(50);
    const findings = files.flatMap((file) => scan(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(findings, `Linux-only calls, each with the portable way:\n${shown(findings)}`).toEqual([]);
  });

  it('neither does what attendees run: the stage tests and what they import, exercises/ and solutions/', () => {
    const stageTests = readdirSync(join(ROOT, 'test')).filter((d) => /^exercise\d/.test(d)).flatMap((d) => sources(join('test', d)));
    expect(stageTests.length).toBeGreaterThan(2);
    const files = withImports([...stageTests, ...sources('exercises'), ...sources('solutions'), 'vitest.config.ts']).filter((f) => !f.startsWith('lib'));
    expect(files).toContain(join('test', 'support', 'stage.ts'));
    const findings = files.flatMap((file) => scan(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(findings, `Linux-only calls, each with the portable way:\n${shown(findings)}`).toEqual([]);
  });

  it('the scan finds each kind of Linux-only call, and not its portable replacement', () => {
    const bad = [
      "const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');",
      "const { stdout } = await execa('ps', ['-o', 'pid=']);",
      "const host = execSync('hostname -s').toString();",
      'const out = await $`lsof -i :4371`;',
      "spawn('rm -rf dir', { shell: true });",
      "child.kill('SIGTERM');",
      "process.kill(pid, 'SIGSTOP');",
      "process.on('SIGUSR1', dump);",
      "const ROOT = new URL('..', import.meta.url).pathname;",
      "const url = 'file://' + path;",
      "writeFileSync('/tmp/x', data);",
      'const home = process.env.HOME;',
      'if (process.getuid() === 0) return;',
      "const lines = text.split('\\n');",
      "symlinkSync(target, link);",
    ];
    const found = bad.map((line) => scan('x.ts', line));
    const missed = bad.filter((_, i) => found[i]?.length === 0);
    expect(missed, `the scan missed: ${missed.join(' | ')}`).toEqual([]);
    // The message names the portable way.
    expect(scan('x.ts', "execSync('hostname -s')")[0]?.why).toContain('os.hostname()');
    expect(scan('x.ts', "new URL('..', import.meta.url).pathname")[0]?.why).toContain('fileURLToPath');

    const stopsOnSigtermOnly = "process.on('SIGTERM', stop);";
    expect(scan('x.ts', stopsOnSigtermOnly)).toHaveLength(1);
    expect(scan('x.ts', `${stopsOnSigtermOnly}\nprocess.on('disconnect', stop);`)).toEqual([]);
    const detached = "spawn(process.execPath, args, {\n  detached: true,\n  stdio: 'ignore',\n});";
    expect(scan('x.ts', detached)).toHaveLength(1);
    expect(scan('x.ts', detached.replace("stdio: 'ignore',", "stdio: 'ignore',\n  windowsHide: true,"))).toEqual([]);

    const good = [
      'process.kill(pid, 0);',
      "child.kill('SIGKILL');",
      "const ROOT = fileURLToPath(new URL('..', import.meta.url));",
      'const home = homedir();',
      'const lines = text.split(/\\r?\\n/);',
      "// a comment may say ps, /proc/ and SIGTERM",
      "const help = 'run lsof -nP -iTCP:4371 to see who holds the port';",
      "if (process.platform !== 'win32') child.kill('SIGINT');",
    ];
    expect(good.flatMap((line) => scan('x.ts', line))).toEqual([]);
  });

  it('rpc names a module by a file URL that works with drive letters, whatever system the caller runs', () => {
    expect(specifier('C:\\Users\\ana\\kit\\app.ts')).toBe('file:///C:/Users/ana/kit/app.ts');
    expect(specifier('C:/Users/ana/my kit/app.ts')).toBe('file:///C:/Users/ana/my%20kit/app.ts');
    expect(specifier('\\\\server\\share\\app.ts')).toBe('file://server/share/app.ts');
    expect(specifier('file:///C:/kit/app.ts')).toBe('file:///C:/kit/app.ts');
    expect(specifier('/home/ana/kit/app.ts')).toBe('file:///home/ana/kit/app.ts');
    expect(specifier('node:os')).toBe('node:os');
    expect(() => specifier('./app.ts')).toThrow(/relative module/);
  });

  it('git checks every text file out with LF line endings, on Windows too', () => {
    const attributes = readFileSync(join(ROOT, '.gitattributes'), 'utf8');
    expect(attributes).toMatch(/^\*\s+text=auto\s+eol=lf\s*$/m);
  });
});
