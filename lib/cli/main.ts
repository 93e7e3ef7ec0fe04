// `distsys`: the kit's command line.
//   distsys shell --sname NAME [--cookie C]                  an interactive node, like iex --sname
//   distsys node --sname NAME [--cookie C] [--boot MODULE]   a headless node
//   distsys epmd [--kill]                                     the names the port mapper holds
//   distsys storage --dir DIR [--port N] [--host H] [--token T] [--max-mb N]   the storage (the workshop's Redis)
//   distsys shortener [--nodes 3] [--port 4000] [--replication ring|full] [--exercises]   stage 4's link shortener, live
import { EpmdClient } from '../epmd/client.ts';
import { epmdPortFromEnv } from '../epmd/protocol.ts';
import { UsageError, parseFlags } from './args.ts';
import { headlessNode } from './headlessNode.ts';
import { shell } from './shell.ts';
import { shortenerCommand } from './shortenerCommand.ts';
import { storageCommand } from './storageCommand.ts';

const usage = `usage:
  distsys shell --sname NAME | --name NAME@HOST [--cookie COOKIE]   an interactive node, like iex --sname NAME
  distsys node --sname NAME | --name NAME@HOST [--cookie COOKIE] [--boot MODULE] [--tick-ms MS]
  distsys epmd [--kill]     list the names the port mapper on this host holds (like epmd -names)
  distsys storage --dir DIR [--port N] [--host H] [--token T] [--max-mb N]
                            run the storage, journaled in DIR (prints its URL, token included)
  distsys shortener [--nodes 3] [--port 4000] [--replication ring|full] [--exercises]
                            stage 4's link shortener on N local nodes (ports 4000, 4001, … or free ones);
                            runs solutions/ (--exercises: your code); Ctrl+C stops everything`;

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
    case 'shell':
      return shell(rest);
    case 'node':
      return headlessNode(rest);
    case 'epmd':
      return epmd(rest);
    case 'storage':
      return storageCommand(rest);
    case 'shortener':
      return shortenerCommand(rest);
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
