// A consistent-hash ring: each node owns many points on a circle of 2^32
// positions, and a key belongs to the node of the first point at or after the
// key's own position (wrapping round). Adding a node takes over only the arcs
// just before its points, so only about 1/N of the keys move, all of them to the
// newcomer; `hash mod N` would move almost every key. The ring depends on the
// set of nodes only (not their order), so every node that builds it from the
// same membership agrees on every owner.
import { createHash } from 'node:crypto';

/** Points per node: enough that three nodes' shares stay within a few percent of a third. */
export const DEFAULT_VNODES = 256;

/** A position on the ring, 0 to 2^32 - 1: the first four bytes of the SHA-256 of `text`. */
export function ringPosition(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

export class HashRing {
  /** The nodes on the ring, sorted and without duplicates. */
  readonly nodes: readonly string[];
  #points: Uint32Array;
  /** The node (index into `nodes`) of each point, in the order of `#points`. */
  #owners: Uint16Array;

  /** A ring of `nodes` (any order, duplicates ignored), each with `vnodes` points. */
  constructor(nodes: Iterable<string>, options: { vnodes?: number } = {}) {
    const vnodes = options.vnodes ?? DEFAULT_VNODES;
    if (!Number.isInteger(vnodes) || vnodes < 1) throw new RangeError(`HashRing: vnodes must be a whole number of at least 1, not ${vnodes}`);
    this.nodes = [...new Set(nodes)].sort();
    if (this.nodes.length > 0xffff) throw new RangeError(`HashRing: at most 65535 nodes, not ${this.nodes.length}`);
    const points: Array<{ at: number; owner: number }> = [];
    this.nodes.forEach((node, owner) => {
      for (let i = 0; i < vnodes; i++) points.push({ at: ringPosition(`${node}#${i}`), owner });
    });
    // Two points at the same position (rare): the one of the smaller node name wins, so the order is total.
    points.sort((a, b) => a.at - b.at || a.owner - b.owner);
    this.#points = Uint32Array.from(points, (p) => p.at);
    this.#owners = Uint16Array.from(points, (p) => p.owner);
  }

  /** The node that owns `key`. Throws on an empty ring: nobody owns anything. */
  find(key: string): string {
    if (this.#points.length === 0) throw new Error(`HashRing: no node owns ${JSON.stringify(key)}: the ring is empty`);
    const at = ringPosition(key);
    // The first point at or after `at`; past the last point, wrap round to the first.
    let lo = 0;
    let hi = this.#points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#points[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    const index = lo === this.#points.length ? 0 : lo;
    return this.nodes[this.#owners[index] as number] as string;
  }

  /** Each node's share of the circle (fractions that add up to 1): how evenly the points spread. */
  shares(): Map<string, number> {
    const shares = new Map(this.nodes.map((n) => [n, 0]));
    const n = this.#points.length;
    for (let i = 0; i < n; i++) {
      // Point i owns the arc from the point before it (exclusive) up to itself.
      const prev = i === 0 ? (this.#points[n - 1] as number) - 2 ** 32 : (this.#points[i - 1] as number);
      const node = this.nodes[this.#owners[i] as number] as string;
      shares.set(node, (shares.get(node) ?? 0) + ((this.#points[i] as number) - prev) / 2 ** 32);
    }
    return shares;
  }
}
