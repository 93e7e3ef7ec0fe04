// Every frame on a node-to-node connection, as zod schemas: nothing a peer sends
// is acted on before it passes here. Handshake frames come first; then batches
// of entries (messages and process signals, in the order they were sent: see
// entries.ts), ticks and the peer list that makes connections transitive.
//
// The schemas are the specification. The frames after the handshake, which
// come by the thousand a second, are checked on the hot path by `isDistFrame`,
// the same rules written out by hand (zod's parse costs about a microsecond a
// frame, and copies every array it checks); a property test
// (test/lib/wireChecks.test.ts) keeps the two in agreement on generated valid
// and invalid frames. zod still words the reason a frame was refused.
//
// Sizes: no WebSocket frame between nodes is larger than MAX_WIRE_FRAME_BYTES,
// so a client that has not authenticated can make a node buffer that much at
// most. After the handshake, a larger frame travels as binary chunks of that
// size (chunks.ts) and is reassembled up to the node's maxFrameBytes.
import { z } from 'zod';

const NODE_NAME = /^[A-Za-z0-9_-]+@[^@\s]+$/;
export const nodeName = z.string().min(3).max(255).regex(NODE_NAME, 'not a node name');
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

const MAX_PEERS = 10_000;

export const distFrame = z.discriminatedUnion('t', [
  z.object({ t: z.literal('b'), e: z.array(z.array(z.unknown()).min(1)).min(1) }),
  z.object({ t: z.literal('tick') }),
  z.object({ t: z.literal('peers'), nodes: z.array(nodeName).max(MAX_PEERS) }),
]);
export type DistFrame = z.infer<typeof distFrame>;

/** `nodeName`'s rules, by hand. */
export function isNodeName(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 3 && value.length <= 255 && NODE_NAME.test(value);
}

/** A JSON object (not an array): what zod's `z.object` accepts. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` (what JSON.parse made of a frame) passes `distFrame`: its rules by hand, for the hot path. */
export function isDistFrame(value: unknown): value is DistFrame {
  if (!isObject(value)) return false;
  switch (value.t) {
    case 'b': {
      const entries = value.e;
      if (!Array.isArray(entries) || entries.length === 0) return false;
      for (let i = 0; i < entries.length; i++) {
        const entry: unknown = entries[i];
        if (!Array.isArray(entry) || entry.length === 0) return false;
      }
      return true;
    }
    case 'tick':
      return true;
    case 'peers': {
      const nodes = value.nodes;
      if (!Array.isArray(nodes) || nodes.length > MAX_PEERS) return false;
      for (let i = 0; i < nodes.length; i++) if (!isNodeName(nodes[i])) return false;
      return true;
    }
    default:
      return false;
  }
}
