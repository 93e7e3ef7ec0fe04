// The shell, driven as an attendee would in three terminals: the deck's first
// steps, typed line by line, with what each one prints.
import { afterAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { Shell } from '../support/shell.ts';
import { waitFor } from '../support/wait.ts';

const host = hostname().split('.')[0] as string;
const shells: Shell[] = [];
afterAll(() => shells.forEach((s) => s.kill()));

async function open(...args: string[]): Promise<Shell> {
  const shell = await Shell.start(args);
  shells.push(shell);
  return shell;
}

/** Types `line` until what it prints matches `pattern` (for things that settle, like the mesh), within a bound. */
async function until(shell: Shell, line: string, pattern: RegExp): Promise<string> {
  let printed = '';
  await waitFor(async () => {
    printed = await shell.type(line);
    expect(printed).toMatch(pattern);
  }, 10_000, 50);
  return printed;
}

describe('distsys shell', () => {
  it("the deck's first steps: list, ping, connect, the third node, cookies, messages, monitors, leaving", async () => {
    const [chris, ben, dave] = await Promise.all([open('--sname', 'chris'), open('--sname', 'ben'), open('--sname', 'dave')]);
    expect(chris.name).toBe(`chris@${host}`);

    expect(await chris.type('Node.list()')).toBe('[]');
    expect(await chris.type(`await Node.ping('ben@${host}')`)).toBe("'pong'");
    expect(await chris.type(`await Node.ping('nobody@${host}')`)).toBe("'pang'");
    expect(await chris.type(`await Node.connect('ben@${host}')`)).toBe('true');
    expect(await ben.type('Node.list()')).toBe(`[ 'chris@${host}' ]`);

    // A third node that connects to one member sees both.
    expect(await dave.type(`await Node.connect('chris@${host}')`)).toBe('true');
    await until(dave, 'Node.list().sort()', new RegExp(`\\[ 'ben@${host}', 'chris@${host}' \\]`));

    // A registered process on chris, a message from ben: chris prints it.
    expect(await chris.type("spawn(async () => { Process.register('greeter'); await receive(); console.log('I got called') })")).toMatch(/^#PID<chris@\S+\.\d+>$/);
    expect(await ben.type(`send({ name: 'greeter', node: 'chris@${host}' }, 'hello')`)).toBe("'hello'");
    await chris.waitFor(/I got called/);

    // Process.monitor: the DOWN message when a process ends.
    await ben.type('const pid = spawn(() => receive())');
    expect(await ben.type('const ref = Process.monitor(pid)')).toBe('');
    await ben.type("send(pid, 'stop')");
    expect(await ben.type('await receive()')).toMatch(/\{\s+type: 'DOWN',\s+ref: #Reference<ben@\S+>,\s+kind: 'process',\s+object: #PID<ben@\S+>,\s+reason: 'normal'\s+\}/);

    // Objects typed at the prompt are messages like any other; flush() prints and empties the mailbox.
    expect(await ben.type("send(self(), { hello: ['world'] })")).toBe("{ hello: [ 'world' ] }");
    expect(await ben.type('flush()')).toBe("{ hello: [ 'world' ] }");
    expect(await ben.type('flush()')).toBe('');

    // Leaving the shell stops the node: the others see nodedown.
    await chris.type('NetKernel.monitorNodes(true)');
    expect(await dave.exit()).toBe(0);
    expect(await until(chris, 'flush()', /nodedown/)).toContain(`{ type: 'nodedown', node: 'dave@${host}' }`);
    expect(await ben.close()).toBe(0);
    await until(chris, 'Node.list()', /^\[\]$/);
  });

  it('a wrong cookie is refused; setCookie, then connect succeeds', async () => {
    const [alice, lone] = await Promise.all([open('--sname', 'alice'), open('--sname', 'lonestar', '--cookie', 'lonestar')]);
    expect(await alice.type(`await Node.connect('lonestar@${host}')`)).toBe('false');
    expect(await alice.type("Node.setCookie('lonestar')")).toBe('true');
    expect(await alice.type('Node.getCookie()')).toBe("'lonestar'");
    expect(await alice.type(`await Node.connect('lonestar@${host}')`)).toBe('true');
    expect(await lone.type('Node.list()')).toBe(`[ 'alice@${host}' ]`);
    lone.signal('SIGINT');
    await lone.exited;
    await until(alice, 'Node.list()', /^\[\]$/);
  });

  it('--name gives a full name; h() lists what is in scope; a bad flag is a clear error', async () => {
    const full = await open('--name', 'eve@127.0.0.1');
    expect(full.name).toBe('eve@127.0.0.1');
    const help = await full.type('h()');
    for (const name of ['Node.list()', 'Process.monitor', 'GenServer.start', 'NetKernel.monitorNodes', 'rpc.call', 'flush()']) expect(help).toContain(name);
    expect(await full.type('typeof GenServer.multiCall')).toBe("'function'");
    expect(await full.type('new Map([[1, { a: 1 }]])')).toBe('Map(1) { 1 => { a: 1 } }');
    const { execa } = await import('execa');
    const bad = await execa(process.execPath, [new URL('../../bin/distsys.js', import.meta.url).pathname, 'shell'], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/give the node a name: --sname chris or --name chris@127.0.0.1/);
  });

  it('lines pasted at once run in order, awaits included, and all finish before Ctrl+D leaves', async () => {
    const { execa } = await import('execa');
    const input = ['Node.list()', `await Node.ping('nobody@${host}')`, "await new Promise((r) => setImmediate(() => r('late')))", '1 + 1'].join('\n');
    const run = await execa(process.execPath, [new URL('../../bin/distsys.js', import.meta.url).pathname, 'shell', '--sname', 'paste'], { input, reject: false });
    expect(run.exitCode).toBe(0);
    // What was printed, without the banner and the prompts (a REPL whose input has ended may skip its last prompts).
    const answers = run.stdout.split('\n').slice(1).map((line) => line.replace(/iex\(paste@\S+\)\d+> /g, '').trim()).filter(Boolean);
    expect(answers).toEqual(['[]', "'pang'", "'late'", '2']);

    // An input that throws reports the error and the shell goes on with the next one.
    const failing = await execa(process.execPath, [new URL('../../bin/distsys.js', import.meta.url).pathname, 'shell', '--sname', 'oops'], { input: "throw new Error('boom')\n1 + 2\n", reject: false });
    expect(failing.exitCode).toBe(0);
    expect(failing.stdout).toMatch(/Uncaught Error: boom[\s\S]*iex\(oops@\S+\)2> 3/);
  });
});
