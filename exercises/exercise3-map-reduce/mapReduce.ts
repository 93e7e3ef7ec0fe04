// How a caller runs a job: hand the master the job and its input, and wait for
// the result. The master answers once every reduce job is done.
import { GenServer, Node, type RemoteName } from '../../lib/index.ts';
import type { JobSpec, Pair } from './job.ts';
import type { RunReply } from '#stage/exercise3-map-reduce/master.ts';

export interface RunOptions {
  /** The master (default: 'master' on this node). */
  master?: RemoteName;
  /** How long to wait for the result. Default 60 s. */
  timeoutMs?: number;
}

/** Runs `spec` over `input` on the master's workers; resolves with every output pair of every reduce job. */
export async function mapReduce(spec: JobSpec, input: string, options: RunOptions = {}): Promise<Pair[]> {
  const master = options.master ?? { name: 'master', node: Node.self() };
  const reply = await GenServer.call<RunReply>(master, { run: spec, input }, options.timeoutMs ?? 60_000);
  if ('error' in reply) throw new Error(`job ${spec.name}: ${reply.error}`);
  return reply.result;
}
