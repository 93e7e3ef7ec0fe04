// Command-line flags of `distsys`, checked with zod: a bad flag is a clear
// message and exit code 2, never a stack trace.
import type { ParseArgsConfig } from 'node:util';
import { util } from '../builtins.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { z } from 'zod';
import { Node } from '../node.ts';

const { parseArgs } = util;

export const nodeFlags = {
  sname: { type: 'string' },
  name: { type: 'string' },
  cookie: { type: 'string' },
  'tick-ms': { type: 'string' },
  dist: { type: 'string' },
  boot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const msFlag = z.coerce.number().int().min(40, 'at least 40 ms');

export interface NodeIdentity {
  readonly id: { sname: string } | { name: string };
  readonly cookie: string | undefined;
  readonly tickTimeMs: number | undefined;
  /** `--dist erlang`: the node speaks Erlang's distribution (Node.start's `dist`). */
  readonly dist: 'kit' | 'erlang' | undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseFlags<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true as const });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The node name, cookie, tick time and protocol from `--sname`/`--name`, `--cookie`, `--tick-ms`, `--dist`. */
function nodeIdentity(values: {
  sname?: string | boolean;
  name?: string | boolean;
  cookie?: string | boolean;
  'tick-ms'?: string | boolean;
  dist?: string | boolean;
}): NodeIdentity {
  const { sname, name, cookie } = values;
  if (typeof sname === 'string' && typeof name === 'string') throw new UsageError('give either --sname or --name, not both');
  if (typeof sname !== 'string' && typeof name !== 'string') throw new UsageError('give the node a name: --sname chris or --name chris@127.0.0.1');
  let tickTimeMs: number | undefined;
  if (typeof values['tick-ms'] === 'string') {
    const parsed = msFlag.safeParse(values['tick-ms']);
    if (!parsed.success) throw new UsageError(`--tick-ms ${values['tick-ms']}: ${parsed.error.issues[0]?.message ?? 'not a number'}`);
    tickTimeMs = parsed.data;
  }
  if (cookie === '') throw new UsageError('--cookie cannot be empty');
  const dist = values.dist;
  if (dist !== undefined && dist !== 'kit' && dist !== 'erlang') {
    throw new UsageError(`--dist ${String(dist)}: the protocol is erlang (Erlang's distribution, to join erl and iex nodes) or kit (the kit's own, the default)`);
  }
  return {
    id: typeof sname === 'string' ? { sname } : { name: name as string },
    cookie: typeof cookie === 'string' ? cookie : undefined,
    tickTimeMs,
    dist,
  };
}

/** Starts this process as the node its flags describe (`--sname`/`--name`, `--cookie`, `--tick-ms`, `--dist`); returns its name. */
export async function startNodeFromFlags(values: Parameters<typeof nodeIdentity>[0]): Promise<string> {
  const identity = nodeIdentity(values);
  return Node.start(identity.id, {
    ...(identity.cookie !== undefined ? { cookie: identity.cookie } : {}),
    ...(identity.tickTimeMs !== undefined ? { tickTimeMs: identity.tickTimeMs } : {}),
    ...(identity.dist !== undefined ? { dist: identity.dist } : {}),
  });
}
