// `distsys`: the kit's command line.
//   distsys shell --sname NAME [--cookie C] [--dist erlang]  an interactive node, like iex --sname
//   distsys node --sname NAME [--cookie C] [--boot MODULE]   a headless node
//   distsys epmd [--kill]                                     the names the port mapper holds
//   distsys storage --dir DIR [--port N] [--host H] [--token T] [--max-mb N]   the storage (the workshop's Redis)
//   distsys doctor                                            is this laptop ready for the workshop?
//   distsys view [--cookie C] [--port N]                    the live view of this host's nodes, in the browser
//   distsys trace FILE.jsonl [--out PAGE.html]               a trace drawn as a sequence diagram
//   distsys demo [NAME] [--auto]                             the instructor's demos (npm run demo)
//   distsys shortener [--stage 4|5] [--nodes 3] [--port 4000] [--replication ring|full] [--exercises]   the link shortener, live
//   distsys room [--port 4390] [--host ADDR] [--token T]     the instructor's view of the room's test results
import { EpmdClient, UsageError, epmdPortFromEnv, parseFlags, recordCommand, runKitCommand } from '../../lib/internal.ts';

const usage = `usage:
  distsys shell --sname NAME | --name NAME@HOST [--cookie COOKIE] [--dist erlang]
                            an interactive node, like iex --sname NAME; --dist erlang speaks Erlang's
                            distribution, so erl and iex nodes can join it (EPMD on port 4369)
  distsys node --sname NAME | --name NAME@HOST [--cookie COOKIE] [--boot MODULE] [--tick-ms MS] [--dist erlang]
  distsys epmd [--kill]     list the names the port mapper on this host holds (like epmd -names)
  distsys storage --dir DIR [--port N] [--host H] [--token T] [--max-mb N]
                            run the storage, journaled in DIR (prints its URL, token included)
  distsys doctor            check this laptop before the workshop: says what to fix, ends with ready or not
  distsys view [--sname NAME] [--cookie COOKIE] [--port N]
                            the live view of the nodes on this host, in the browser
  distsys trace traces/FILE.jsonl [--out PAGE.html]
                            draw a trace as a sequence diagram (a self-contained HTML page)
  distsys demo [NAME] [--auto] [--no-view]
                            the instructor's demos on a real local cluster (without NAME: the list)
  distsys shortener [--stage 4|5] [--nodes 3] [--port 4000] [--replication ring|full] [--exercises]
                            the link shortener of stage 4 (or 5, with redirect counts) on N local nodes
                            (ports 4000, 4001, … or free ones); runs solutions/ (--exercises: your code);
                            Ctrl+C stops everything
  distsys room [--port 4390] [--host ADDR] [--token T]
                            the instructor's view of the room, for the projector: who is on which problem,
                            green and red, for how long, the most common failure; attendees opt in
                            with DISTSYS_ROOM (it prints the address and what they send)`;

async function epmd(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, { kill: { type: 'boolean' } });
  const port = epmdPortFromEnv();
  let client: EpmdClient;
  try {
    client = await EpmdClient.connect(port);
  } catch {
    process.stdout.write(`distsys epmd: no port mapper is running on port ${port}\n`);
    return;
  }
  try {
    if (values.kill) {
      await client.kill();
      process.stdout.write('killed\n');
      return;
    }
    process.stdout.write(`epmd: up and running on port ${port} with data:\n`);
    for (const { name, port: p } of await client.names()) process.stdout.write(`name ${name} at port ${p}\n`);
  } finally {
    client.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    // Each command loads only what it needs: a headless node starts without the REPL.
    case 'shell':
      recordCommand(command, rest);
      return (await import('./shell.ts')).shell(rest);
    // A node and the storage are the library's own commands, the ones its harness starts.
    case 'node':
    case 'storage':
      return runKitCommand(command, rest);
    case 'epmd':
      return epmd(rest);
    case 'doctor': {
      const code = await (await import('./doctor.ts')).doctor(rest);
      // Done: exit once the report is written out (stdout to a pipe is asynchronous on macOS and Windows).
      process.stdout.write('', () => process.exit(code));
      return;
    }
    case 'view':
      return (await import('./viewCommand.ts')).viewCommand(rest);
    case 'trace':
      return (await import('./traceCommand.ts')).traceCommand(rest);
    case 'demo': {
      const { demoCommand } = await import('./demoCommand.ts');
      return demoCommand(rest);
    }
    case 'shortener':
      return (await import('./shortenerCommand.ts')).shortenerCommand(rest);
    case 'room':
      return (await import('./roomCommand.ts')).roomCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${usage}\n`);
      return;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`distsys: ${err.message}\n${usage}\n`);
    process.exit(2);
  }
  process.stderr.write(`distsys: ${(err as Error).message}\n`);
  process.exit(1);
});
