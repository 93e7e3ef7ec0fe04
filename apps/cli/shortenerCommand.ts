// `distsys shortener --nodes 3`: the link shortener of stage 4, live, for a demo
// by hand (`--stage 5`: stage 5's, which also counts redirects on every node). It starts the storage (unless DISTSYS_STORAGE_URL names one), then N
// nodes that boot the stage's solution, each serving the HTTP API on its own
// port (4000, 4001, … when free, else a free one), meshes them, and in ring mode
// writes the membership and has every node build its ring. It prints the ports
// and a curl line to try, and on Ctrl+C (or SIGTERM) stops the nodes and the
// storage it started, then itself.
//
// The nodes run solutions/ (never DISTSYS_TARGET's choice: they are started with
// DISTSYS_TARGET=solutions), so the demo works before anyone has solved the stage;
// --exercises runs the learner's code instead.
import { createServer } from 'node:net';
import { z } from 'zod';
import { Node, rpc } from '../../lib/index.ts';
import { LocalCluster, spawnNode, type SpawnedNode } from '../../lib/cluster/index.ts';
import { UsageError, parseFlags } from '../../lib/internal.ts';

const SHORTENER_READY_LINE = 'shortener ready';
/**
 * Each stage's shortener, and the module that holds its nodes' ring (cluster.ts): stage 4's
 * own, or, for stage 5, stage 4's solved one, which stage 5's shortener runs whatever the target.
 */
const STAGES = {
  '4': { stage: 'exercise4-link-shortener', ring: '#stage/exercise4-link-shortener/cluster.ts' },
  '5': { stage: 'exercise5-crdt', ring: new URL('../../solutions/exercise4-link-shortener/cluster.ts', import.meta.url).href },
} as const;

const flags = z.object({
  stage: z.enum(['4', '5']).default('4'),
  nodes: z.coerce.number().int().min(1).max(9).default(3),
  port: z.coerce.number().int().min(0).max(65526).default(4000),
  replication: z.enum(['ring', 'full']).default('ring'),
  exercises: z.boolean().default(false),
});

/** True if nothing listens on 127.0.0.1:`port` now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export async function shortenerCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, {
    stage: { type: 'string' },
    nodes: { type: 'string' },
    port: { type: 'string' },
    replication: { type: 'string' },
    exercises: { type: 'boolean' },
  });
  const parsed = flags.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'not understood'} (--stage 4|5, --nodes 1-9, --port N (0: free ports), --replication ring|full)`);
  }
  const options = parsed.data;
  const folder = options.exercises ? 'exercises' : 'solutions';
  const { stage: STAGE, ring } = STAGES[options.stage];
  // Resolved by each node, under the target it was started with.
  const shortener = `#stage/${STAGE}/shortener.ts`;

  const children: SpawnedNode[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      await Promise.allSettled(children.map((child) => child.stop()));
      await (await LocalCluster.storageProcess())?.stop();
      await Node.stop();
    })();
    return stopping;
  };
  const leave = (code: number) => void stopAll().finally(() => process.exit(code));
  process.on('SIGINT', () => leave(0));
  process.on('SIGTERM', () => leave(0));

  try {
    await Node.start({ sname: 'shortener-demo' });
    const storage = await LocalCluster.storage();
    const ports: number[] = [];
    for (let i = 0; i < options.nodes; i++) {
      const wanted = options.port === 0 ? 0 : options.port + i;
      ports.push(wanted !== 0 && (await isFree(wanted)) ? wanted : 0);
    }
    const started = await Promise.allSettled(
      ports.map((port, i) =>
        spawnNode({
          sname: `shortener${i + 1}`,
          cookie: Node.getCookie(),
          boot: shortener,
          env: { DISTSYS_TARGET: folder, DISTSYS_SHORTENER_PORT: String(port), DISTSYS_SHORTENER_REPLICATION: options.replication },
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') children.push(result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    const names = children.map((child) => child.name);
    for (const name of names) if (!(await Node.connect(name))) throw new Error(`cannot connect to ${name}`);
    if (options.replication === 'ring') {
      await rpc.call(names[0] as string, ring, 'setCanonicalNodes', [names]);
      for (const name of names) await rpc.call(name, ring, 'updateRing');
    }
    for (const [i, name] of names.entries()) ports[i] = await rpc.call<number>(name, shortener, 'httpPort');

    const how = options.replication === 'ring' ? 'ring: only the owner of a link caches it' : 'full: every node caches every link';
    const out = [
      `${names.length} shortener node${names.length === 1 ? '' : 's'} (${folder}/${STAGE}, replication ${how}), storage at ${new URL(storage).origin}`,
      ...names.map((name, i) => `  ${name.padEnd(24)} http://localhost:${ports[i]}`),
      'try:',
      `  curl -i -d url=https://elixir-lang.org localhost:${ports[0]}`,
      `  curl -i localhost:${ports[1] ?? ports[0]}/<the code it answered>`,
      ...(options.stage === '5' ? [`  curl localhost:${ports[2] ?? ports[0]}/<the code>/aggregates`] : []),
      'Ctrl+C stops them all.',
      SHORTENER_READY_LINE,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } catch (err) {
    await stopAll();
    throw err;
  }
}
