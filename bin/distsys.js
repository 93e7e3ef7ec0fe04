#!/usr/bin/env node
// The `distsys` command. The kit is TypeScript: Node.js 22.18+ runs it as it is
// (type stripping); older versions go through the kit's loader (lib/boot/).

// First, in plain JavaScript: on a Node.js older than the kit needs, say so in
// words, before the loader or the kit fail in stranger ways. The floor is
// package.json's `engines`, and apps/doctor/nodeVersion.ts's (a test keeps the three agreed).
const MIN_NODE = { major: 20, minor: 19 };
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE.major || (major === MIN_NODE.major && minor < MIN_NODE.minor)) {
  const doctor = process.argv[2] === 'doctor';
  const lines = [
    doctor ? 'distsys doctor: is this laptop ready for the workshop?\n' : '',
    `${doctor ? '  FAIL  ' : 'distsys: '}Node.js ${process.version} is too old: the kit needs ${MIN_NODE.major}.${MIN_NODE.minor} or newer`,
    '        Install Node.js 24 (LTS) from https://nodejs.org, or with a version manager (nvm, fnm, volta;',
    '        nvm-windows on Windows), then open a new terminal and run npx distsys doctor again.',
    "        If you may not install software on this laptop, use the dev container (README, 'When your laptop cannot run the kit').",
    doctor ? '\nnot ready: Node.js is too old (above)' : '',
  ];
  const stream = doctor ? process.stdout : process.stderr;
  stream.write(`${lines.filter((l) => l !== '').join('\n')}\n`, () => process.exit(1));
} else if (needsCondition()) {
  // DISTSYS_TARGET=solutions (or variant): `#stage/...` must resolve there from the first import,
  // and a condition can only be given when Node.js starts: start again with it.
  const { spawn } = await import('node:child_process');
  const target = process.env.DISTSYS_TARGET;
  const child = spawn(process.execPath, [`--conditions=${target}`, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  // Ctrl+C at a terminal (or a Windows console) reaches the child itself, as it reaches us:
  // passing it on would make two. A SIGINT sent to this process alone (a script, a test: no
  // terminal) is passed on; Windows has no such signal to send, so there is nothing to pass on.
  const atTerminal = process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY;
  process.on('SIGINT', () => {
    if (!atTerminal && process.platform !== 'win32') child.kill('SIGINT');
  });
  process.on('SIGTERM', () => child.kill()); // passed on as it came: the child ends as the parent would have
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
} else {
  // V8's compile cache (Node 22.1+): the second start of a command compiles nothing it compiled before.
  const { enableCompileCache } = await import('node:module');
  const { fileURLToPath } = await import('node:url');
  enableCompileCache?.(fileURLToPath(new URL('../node_modules/.cache/distsys/v8/', import.meta.url)));
  // Where Node.js does not strip types itself (20), the kit's loader does, from a cache.
  if (process.features.typescript !== 'strip') await import('../lib/boot/typescript.mjs');
  await import('../apps/cli/main.ts');
}

/** Whether DISTSYS_TARGET names a condition this Node.js was not started with. */
function needsCondition() {
  const target = process.env.DISTSYS_TARGET;
  if (target !== 'solutions' && target !== 'variant') return false;
  return !new RegExp(`(^| )(--conditions|-C)[= ]${target}( |$)`).test(process.execArgv.join(' '));
}
