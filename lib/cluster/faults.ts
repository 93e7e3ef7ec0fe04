// Faults on inter-node links, decided by a seeded random source. Each link
// (sender -> receiver) draws from its own generator, seeded from the run's seed
// and the two node names, so the n-th message sent on a link meets the same fate
// in every run with the same seed, whatever happens on the other links.
import { z } from 'zod';
import { aliveOf } from '../nodeName.ts';
import type { NodeName } from '../terms.ts';

export const faultConfig = z.object({
  seed: z.number().int().nonnegative(),
  /** Chance that a message is dropped. */
  drop: z.number().min(0).max(1).default(0),
  /** Chance that a message is delivered twice. */
  duplicate: z.number().min(0).max(1).default(0),
  /** Chance that a message is held back for between minMs and maxMs (later messages on the link wait behind it). */
  delay: z.object({ rate: z.number().min(0).max(1), minMs: z.number().int().min(0), maxMs: z.number().int().min(0) }).optional(),
  /** The links, as [from, to] node names (alive part or full name); all links between cluster nodes when absent. */
  links: z.array(z.tuple([z.string(), z.string()])).optional(),
});
export type FaultConfig = z.input<typeof faultConfig>;
export type Faults = z.output<typeof faultConfig>;

export type Fate = { kind: 'deliver' } | { kind: 'drop' } | { kind: 'duplicate' } | { kind: 'delay'; ms: number };

/** mulberry32: tiny, fast, and good enough to decide faults; the same seed gives the same sequence. */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string, for seeding a link's generator. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}


/** Decides the fate of each message on each link this node sends on. Links are named without hosts (aliveOf), so a seed replays on any machine. */
export class FaultPlan {
  readonly config: Faults;
  private readonly links = new Map<string, () => number>();

  constructor(config: FaultConfig) {
    this.config = faultConfig.parse(config);
  }

  /** Whether this plan touches the link from -> to. */
  covers(from: NodeName, to: NodeName): boolean {
    const { links } = this.config;
    if (!links) return true;
    const matches = (pattern: string, node: NodeName) => pattern === node || pattern === aliveOf(node);
    return links.some(([f, t]) => matches(f, from) && matches(t, to));
  }

  /** The fate of the next message on from -> to: always one draw per decision, so sequences stay aligned. */
  next(from: NodeName, to: NodeName): Fate {
    const key = `${aliveOf(from)}->${aliveOf(to)}`;
    let random = this.links.get(key);
    if (!random) {
      random = generator(hash(`${this.config.seed}:${key}`));
      this.links.set(key, random);
    }
    const roll = random();
    const size = random();
    const { drop, duplicate, delay } = this.config;
    if (roll < drop) return { kind: 'drop' };
    if (roll < drop + duplicate) return { kind: 'duplicate' };
    if (delay && roll < drop + duplicate + delay.rate) {
      return { kind: 'delay', ms: Math.round(delay.minMs + size * Math.max(0, delay.maxMs - delay.minMs)) };
    }
    return { kind: 'deliver' };
  }
}

/** A fresh seed: from DISTSYS_SEED when set (to replay a run), random otherwise. */
export function seedFromEnv(): number {
  const raw = process.env.DISTSYS_SEED;
  if (raw !== undefined && raw !== '') {
    const parsed = z.coerce.number().int().nonnegative().safeParse(raw);
    if (!parsed.success) throw new Error(`DISTSYS_SEED=${raw} is not a non-negative integer`);
    return parsed.data;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
