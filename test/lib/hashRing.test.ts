// The consistent-hash ring the link shortener (stage 4) routes with: a key goes
// to the first point at or after its position, the ring depends only on the set
// of nodes, shares are even, and a newcomer takes about 1/N of the keys, all
// from the others.
import { describe, expect, it } from 'vitest';
import { HashRing, ringPosition } from '../../lib/index.ts';

const NODES = ['shortener1@host', 'shortener2@host', 'shortener3@host'];
const KEYS = Array.from({ length: 10_000 }, (_, i) => `key-${i}`);

describe('HashRing', () => {
  it('sends a key to the node of the first point at or after its position, wrapping round', () => {
    const ring = new HashRing(['a', 'b', 'c'], { vnodes: 4 });
    const points = ['a', 'b', 'c'].flatMap((node) => Array.from({ length: 4 }, (_, i) => ({ at: ringPosition(`${node}#${i}`), node }))).sort((x, y) => x.at - y.at);
    const expected = (key: string) => {
      const at = ringPosition(key);
      return (points.find((p) => p.at >= at) ?? points[0])?.node;
    };
    for (const key of KEYS.slice(0, 2_000)) expect(ring.find(key), key).toBe(expected(key));
  });

  it('depends on the set of nodes only: order and duplicates change nothing', () => {
    const a = new HashRing(NODES);
    const b = new HashRing([NODES[2] as string, NODES[0] as string, NODES[1] as string, NODES[0] as string]);
    expect(b.nodes).toEqual([...NODES].sort());
    expect(KEYS.map((k) => b.find(k))).toEqual(KEYS.map((k) => a.find(k)));
  });

  it('gives three nodes about a third of the circle and of the keys each', () => {
    const ring = new HashRing(NODES);
    const shares = [...ring.shares().values()];
    expect(shares.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    for (const share of shares) expect(share).toBeGreaterThan(0.28);
    for (const share of shares) expect(share).toBeLessThan(0.39);
    const counts = new Map<string, number>();
    for (const key of KEYS) counts.set(ring.find(key), (counts.get(ring.find(key)) ?? 0) + 1);
    for (const node of NODES) expect(counts.get(node)).toBeGreaterThan(2_800);
  });

  it('moves about a quarter of the keys when a fourth node joins, all to the newcomer, and only the leaver\'s keys when one leaves', () => {
    const three = new HashRing(NODES);
    const four = new HashRing([...NODES, 'shortener4@host']);
    const moved = KEYS.filter((k) => three.find(k) !== four.find(k));
    expect(moved.every((k) => four.find(k) === 'shortener4@host')).toBe(true);
    expect(moved.length / KEYS.length).toBeGreaterThan(0.15);
    expect(moved.length / KEYS.length).toBeLessThan(0.35);

    const two = new HashRing(NODES.slice(1));
    const changed = KEYS.filter((k) => three.find(k) !== two.find(k));
    expect(changed.every((k) => three.find(k) === NODES[0])).toBe(true);
  });

  it('refuses an empty ring and a bad number of points with a clear error', () => {
    expect(() => new HashRing([]).find('x')).toThrow(/ring is empty/);
    expect(() => new HashRing(NODES, { vnodes: 0 })).toThrow(/vnodes must be a whole number/);
    expect(new HashRing(['alone']).find('anything')).toBe('alone');
  });
});
