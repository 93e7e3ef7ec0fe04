// The calls that work on Linux only (or on Linux and macOS only) where Node.js
// offers a portable way, and that way: what test/kit/portability.test.ts looks
// for in the kit's own code, which attendees run on macOS and Windows too.
// Comment lines are not code and are skipped.

export interface Finding {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly code: string;
  /** What is wrong, and the portable way. */
  readonly why: string;
}

interface LineRule {
  readonly pattern: RegExp;
  readonly why: (match: RegExpExecArray) => string;
}

/** Unix programs the kit must not run, and what Node.js offers instead. */
const TOOLS: Record<string, string> = {
  ps: 'process.kill(pid, 0) tells whether a process lives; keep the pids of the processes you start',
  pgrep: 'keep the pids of the processes you start; process.kill(pid, 0) tells whether one lives',
  pkill: "keep the child's handle and call child.kill()",
  kill: 'child.kill() or process.kill(pid)',
  killall: "keep the child's handle and call child.kill()",
  hostname: 'os.hostname() (and .split(".")[0] for the short name)',
  uname: 'os.platform(), os.release(), os.arch()',
  lsof: 'try the port with node:net (connect, or listen and close)',
  ss: 'try the port with node:net (connect, or listen and close)',
  netstat: 'try the port with node:net (connect, or listen and close)',
  ip: 'os.networkInterfaces()',
  ifconfig: 'os.networkInterfaces()',
  id: 'os.userInfo()',
  whoami: 'os.userInfo().username',
  sh: 'run the program itself, with its arguments in an array',
  bash: 'run the program itself, with its arguments in an array',
  cat: 'fs.readFileSync',
  rm: 'fs.rmSync',
  cp: 'fs.cpSync',
  mv: 'fs.renameSync',
  mkdir: 'fs.mkdirSync',
  ln: 'fs.copyFileSync (a link needs administrator rights on Windows)',
  touch: 'fs.writeFileSync / fs.utimesSync',
  chmod: 'fs.chmodSync',
  chown: 'nothing: Windows has no owners by number; leave it',
  grep: 'read the text with node:fs and test it in JavaScript',
  sed: 'read the text with node:fs and replace in JavaScript',
  awk: 'read the text with node:fs and split it in JavaScript',
  find: 'fs.readdirSync(dir, { recursive: true })',
  which: 'process.execPath for Node.js; otherwise let the spawn find the program',
  sleep: 'setTimeout',
  head: 'fs.readFileSync and slice',
  tail: 'fs.readFileSync and slice',
};
const TOOL = Object.keys(TOOLS).join('|');
const RUNNER = '(?:execa|execaSync|execaNode|spawn|spawnSync|exec|execSync|execFile|execFileSync|fork)';

const LINE_RULES: LineRule[] = [
  {
    pattern: /\/proc\//,
    why: () => "reads Linux's /proc, which macOS and Windows do not have: use Node's own API (process.kill(pid, 0) for \"is it alive\", process.memoryUsage(), os.loadavg())",
  },
  {
    pattern: new RegExp(`\\b${RUNNER}\\(\\s*['"\`](${TOOL})\\b`),
    why: (m) => `runs the Unix program \`${m[1]}\`, which Windows does not have: ${TOOLS[m[1] as string]}`,
  },
  {
    pattern: new RegExp(`\\$\`\\s*(${TOOL})\\b`),
    why: (m) => `runs the Unix program \`${m[1]}\`, which Windows does not have: ${TOOLS[m[1] as string]}`,
  },
  {
    pattern: /\bshell:\s*true\b|execaCommand(?:Sync)?\(/,
    why: () => 'goes through a shell, /bin/sh on Linux and macOS but cmd.exe on Windows, which reads the line differently: run the program with its arguments in an array',
  },
  {
    pattern: /\.kill\(\s*(?:[^,()]+,\s*)?['"](SIG(?!KILL\b)[A-Z0-9]+)['"]/,
    why: (m) =>
      m[1] === 'SIGTERM' || m[1] === 'SIGINT'
        ? `sends ${m[1]}, which on Windows kills at once with no chance to clean up: to ask a kit process to stop, close its IPC channel (askToStop in lib/cluster/kitProcess.ts); to kill, SIGKILL says so`
        : `sends ${m[1]}, which Windows cannot send (Node.js throws ENOSYS there): SIGKILL kills on every system; to ask a process something, use its IPC channel`,
  },
  {
    pattern: /process\.(?:on|once|addListener)\(\s*['"](SIG(?:USR1|USR2|QUIT|CONT|TSTP|TTIN|TTOU|PIPE|ALRM|CHLD|STOP|PROF|VTALRM|XCPU|XFSZ|TRAP|ABRT|IO|POLL|SYS|URG))['"]/,
    why: (m) => `waits for ${m[1]}, which never arrives on Windows: use the IPC channel (process.on('message' or 'disconnect')) or stdin`,
  },
  {
    pattern: /import\.meta\.url\)?\.pathname|\bfile:\/\/['"`]|['"`]file:\/\/\$\{|['"`]file:\/\/['"`]\s*\+/,
    why: () => "turns a file URL into a path (or back) by hand: a file URL's pathname is /C:/... on Windows and keeps %20 for a space; use fileURLToPath(url) and pathToFileURL(path) from node:url",
  },
  {
    pattern: /['"`]\/(tmp|dev\/null|usr|bin|etc|var|home|Users)\b/,
    why: (m) => `names the POSIX path /${m[1]}: use ${m[1] === 'tmp' ? 'os.tmpdir()' : m[1] === 'dev/null' ? 'os.devNull' : m[1] === 'home' || m[1] === 'Users' ? 'os.homedir()' : 'a path from node:path, or process.execPath for Node.js'}`,
  },
  {
    pattern: /\benv(?:\.|\[['"])(HOME|USER|LOGNAME|TMPDIR|SHELL)\b/,
    why: (m) => `reads $${m[1]}, which Windows does not set: use ${m[1] === 'HOME' ? 'os.homedir()' : m[1] === 'TMPDIR' ? 'os.tmpdir()' : m[1] === 'SHELL' ? 'nothing: run programs directly' : 'os.userInfo().username'}`,
  },
  {
    pattern: /process\.(getuid|geteuid|getgid|getegid|setuid|setgid|getgroups)\b/,
    why: (m) => `calls process.${m[1]}, which does not exist on Windows: os.userInfo() works everywhere`,
  },
  {
    pattern: /\.split\(\s*(['"])\\n\1\s*\)/,
    why: () => "splits lines on \\n alone: a line may end with \\r\\n on Windows (a file git or an editor wrote there); split(/\\r?\\n/)",
  },
  {
    pattern: /\bsymlink(?:Sync)?\(/,
    why: () => 'makes a symbolic link, which needs administrator rights or developer mode on Windows: copy the file instead',
  },
];

/** Whether a line is a comment (or inside a block comment's lines). */
function isComment(line: string): boolean {
  const t = line.trim();
  return t.startsWith('//') || t.startsWith('/*') || t.startsWith('*') || t.startsWith('#!');
}

/** The Linux-only calls in one file's text. */
export function scan(file: string, text: string): Finding[] {
  const lines = text.split(/\r?\n/);
  const findings: Finding[] = [];
  const add = (index: number, why: string) => findings.push({ file, line: index + 1, code: (lines[index] ?? '').trim(), why });
  // A process that stops on SIGTERM needs a way to be stopped that Windows has too.
  const windowsStop = /['"]disconnect['"]|stdin\.on\(\s*['"](?:end|close)['"]|['"]SIGINT['"]/.test(text);
  lines.forEach((line, i) => {
    if (isComment(line)) return;
    for (const rule of LINE_RULES) {
      // A line that runs only off Windows (or only on Linux) says so itself, and has the other systems' path beside it.
      if (/process\.platform\s*(?:!==\s*['"]win32['"]|===\s*['"]linux['"])/.test(line)) continue;
      const m = rule.pattern.exec(line);
      if (m) add(i, rule.why(m));
    }
    if (/process\.(?:on|once|addListener)\(\s*['"]SIGTERM['"]/.test(line) && !windowsStop) {
      add(i, "stops on SIGTERM only, which Windows never delivers: also stop when the IPC channel closes (process.on('disconnect')) or stdin ends");
    }
    if (/\bdetached:\s*true\b/.test(line)) {
      const options = lines.slice(Math.max(0, i - 6), i + 7).join('\n');
      if (!/windowsHide:\s*true/.test(options)) add(i, 'starts a detached process, which gets a console window of its own on Windows: add windowsHide: true');
    }
  });
  return findings;
}
