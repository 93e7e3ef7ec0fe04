// Every frame on a node-to-node connection, as zod schemas: nothing a peer sends
// is acted on before it passes here. Handshake frames come first; then batches
// of entries (messages and process signals, in the order they were sent: see
// entries.ts), ticks and the peer list that makes connections transitive.
//
// Sizes: no WebSocket frame between nodes is larger than MAX_WIRE_FRAME_BYTES,
// so a client that has not authenticated can make a node buffer that much at
// most. After the handshake, a larger frame travels as binary chunks of that
// size (chunks.ts) and is reassembled up to the node's maxFrameBytes.
import { z } from 'zod';

export const nodeName = z.string().min(3).max(255).regex(/^[A-Za-z0-9_-]+@[^@\s]+$/, 'not a node name');
const hex = z.string().regex(/^[0-9a-f]{16,128}$/);

/** The largest WebSocket frame a node reads, before the handshake and after it. */
export const MAX_WIRE_FRAME_BYTES = 16 * 1024;

export const handshakeFrame = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), name: nodeName, creation: z.number().int(), to: nodeName }),
  z.object({ t: z.literal('challenge'), name: nodeName, creation: z.number().int(), challenge: hex }),
  z.object({ t: z.literal('answer'), challenge: hex, proof: hex }),
  z.object({ t: z.literal('ack'), proof: hex, replace: z.boolean().optional() }),
  z.object({ t: z.literal('confirm') }),
  z.object({ t: z.literal('reject'), reason: z.string().max(500) }),
]);
export type HandshakeFrame = z.infer<typeof handshakeFrame>;

export const distFrame = z.discriminatedUnion('t', [
  z.object({ t: z.literal('b'), e: z.array(z.array(z.unknown()).min(1)).min(1) }),
  z.object({ t: z.literal('tick') }),
  z.object({ t: z.literal('peers'), nodes: z.array(nodeName).max(10_000) }),
]);
