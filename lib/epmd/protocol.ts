// The port mapper's protocol: JSON requests and replies over one WebSocket.
// A node keeps its socket open for as long as it lives; its name is registered
// only while that socket is open, so a node killed with -9 frees its name at once.
// Anyone who can reach the port mapper may look names up (that is its job); only
// programs on this host may register a name, ask for its pid or stop it.
import { isIP } from 'node:net';
import { z } from 'zod';

export const DEFAULT_EPMD_PORT = 4371; // not Erlang's 4369: an attendee's real epmd may hold that
const DEFAULT_EPMD_IDLE_MS = 10_000;
/** The largest request or reply: every one of them is a few dozen bytes, a list of names a few KiB. */
export const MAX_EPMD_FRAME_BYTES = 64 * 1024;

export const nodeShortName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'a node name is letters, digits, "_" and "-"');

/** An address of this host that the port mapper should also listen on, so other hosts find its nodes. */
const exposedAddress = z.string().max(64).refine((a) => isIP(a) !== 0, 'not an IP address');

export const epmdRequest = z.discriminatedUnion('op', [
  z.object({
    id: z.number().int(),
    op: z.literal('register'),
    name: nodeShortName,
    port: z.number().int().min(1).max(65535),
    expose: z.array(exposedAddress).max(32).optional(),
  }),
  z.object({ id: z.number().int(), op: z.literal('unregister') }),
  z.object({ id: z.number().int(), op: z.literal('lookup'), name: nodeShortName }),
  z.object({ id: z.number().int(), op: z.literal('names') }),
  z.object({ id: z.number().int(), op: z.literal('info') }),
  z.object({ id: z.number().int(), op: z.literal('kill') }),
]);
export type EpmdRequest = z.infer<typeof epmdRequest>;

export const epmdReply = z.object({
  id: z.number().int(),
  ok: z.boolean(),
  error: z.string().optional(),
  port: z.number().int().nullable().optional(),
  names: z.array(z.object({ name: z.string(), port: z.number().int() })).optional(),
  pid: z.number().int().optional(),
});
export type EpmdReply = z.infer<typeof epmdReply>;

/** The port mapper's port: DISTSYS_EPMD_PORT if set (like ERL_EPMD_PORT), else the default. */
export function epmdPortFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DISTSYS_EPMD_PORT;
  if (raw === undefined || raw === '') return DEFAULT_EPMD_PORT;
  const parsed = z.coerce.number().int().min(1).max(65535).safeParse(raw);
  if (!parsed.success) throw new Error(`DISTSYS_EPMD_PORT=${raw} is not a port number (1-65535)`);
  return parsed.data;
}

export function epmdIdleMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DISTSYS_EPMD_IDLE_MS;
  if (raw === undefined || raw === '') return DEFAULT_EPMD_IDLE_MS;
  const parsed = z.coerce.number().int().min(0).safeParse(raw);
  if (!parsed.success) throw new Error(`DISTSYS_EPMD_IDLE_MS=${raw} is not a number of milliseconds`);
  return parsed.data;
}
