// Faults under load, stage 5: redirects stream into three nodes of the CRDT
// shortener (the reference solution) while the network is cut and healed with
// merges duplicated and delayed, and while nodes are killed with -9 and
// restarted. Afterwards every node shows the same count of every link.
// - Partitions, duplicates and delays lose nothing and count nothing twice: each
//   node ends at exactly the number of redirects that were answered.
// - A kill -9 loses what was only in the killed node's memory, by design (the
//   stage's lesson, "Identity matters too"): its table starts empty, and
//   redirects it serves before the others' merges reach it hide under its old,
//   higher slot. What the survivors had counted is never lost, nothing is
//   counted twice, and every node converges.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { rpc, type NodeName } from '../../lib/index.ts';
import { Faults, LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { injectFaults } from '../support/faults.ts';
import { CRDT_FIXTURES } from './crdtFixtures.ts';
import { aggregates, follow, shorten } from '../exercise5-crdt/api.ts';

/** Stage 5's shortener; the nodes run the reference solution, whatever this run's DISTSYS_TARGET. */
const APP = '#stage/exercise5-crdt/shortener.ts';
const LINKS = 5;
let nodes: NodeName[] = [];
const ports = new Map<NodeName, number>();
const portOf = (node: NodeName) => ports.get(node) as number;

beforeAll(async () => {
  await LocalCluster.start();
  nodes = await LocalCluster.startNodes('crdtchaos', 3, { boot: APP, storage: true, env: { DISTSYS_TARGET: 'solutions', DISTSYS_SHORTENER_PORT: '0' } });
  for (const node of nodes) ports.set(node, await rpc.call<number>(node, CRDT_FIXTURES, 'shortenerPort'));
});
afterEach(async () => {
  await Faults.clear();
  await Schism.heal(nodes);
});
afterAll(() => LocalCluster.stopNodes());

let made = 0;
async function newLinks(): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < LINKS; i++) {
    const answer = await shorten(portOf(nodes[0] as NodeName), `https://example.org/crdt-chaos/${process.pid}/${++made}`);
    if (answer.status !== 201) throw new Error(`could not create a link: ${answer.status} ${answer.body}`);
    codes.push(answer.body.trim());
  }
  return codes;
}

/** One node's count of `code`, or undefined if it does not answer (down right now). */
async function countOn(node: NodeName, code: string): Promise<number | undefined> {
  const answer = await aggregates(portOf(node), code).catch(() => undefined);
  const m = answer?.status === 200 ? /^Redirects: (\d+)$/.exec(answer.body.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

/** Redirects to every node in turn until stopped: per code, how many were tried and how many answered 302. */
function redirectLoad(codes: string[]) {
  const tried = new Map(codes.map((c) => [c, 0]));
  const answered = new Map(codes.map((c) => [c, 0]));
  let running = true;
  let total = 0;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const node = nodes[i % nodes.length] as NodeName;
      const code = codes[i % codes.length] as string;
      tried.set(code, (tried.get(code) ?? 0) + 1);
      const answer = await follow(portOf(node), code).catch(() => undefined);
      if (answer?.status === 302) answered.set(code, (answered.get(code) ?? 0) + 1);
      total++;
    }
  })();
  return {
    tried,
    answered,
    /** Waits until `n` more redirects were tried. */
    async more(n: number) {
      const target = total + n;
      await expect.poll(() => total, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(target);
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

/**
 * How long the counts must stay put to count as converged: longer than any delay the faults
 * add (60 ms). Agreeing once is not enough: when the last redirects on each node are still on
 * their way to the others, every node can lack one count and all show the same, too low, sum.
 */
const SETTLE_MS = 500;

/**
 * Waits until every node shows the same count of each code (the `expected` one, when given),
 * unchanged for SETTLE_MS; those counts.
 */
async function converged(codes: string[], expected?: Map<string, number>): Promise<Map<string, number>> {
  let last = '';
  let since = Date.now();
  const describeCounts = (now: Array<Array<number | undefined>>) =>
    codes.map((code, i) => `${code}: ${nodes.map((n, j) => `${n} ${now[i]?.[j] ?? 'no answer'}`).join(', ')}${expected ? ` (answered ${expected.get(code)})` : ''}`).join('; ');
  return vi.waitFor(
    async () => {
      const now = await Promise.all(codes.map((code) => Promise.all(nodes.map((n) => countOn(n, code)))));
      const snapshot = JSON.stringify(now);
      if (snapshot !== last) [last, since] = [snapshot, Date.now()];
      if (!now.every((counts) => counts.every((c) => c !== undefined && c === counts[0]))) throw new Error(`the nodes did not converge: ${describeCounts(now)}`);
      if (expected && !codes.every((code, i) => now[i]?.[0] === expected.get(code))) throw new Error(`every node must count each answered redirect exactly once: ${describeCounts(now)}`);
      if (Date.now() - since < SETTLE_MS) throw new Error(`the counts changed within the last ${SETTLE_MS} ms: ${describeCounts(now)}`);
      return new Map(codes.map((code, i) => [code, now[i]?.[0] as number]));
    },
    { timeout: 15_000, interval: 50 },
  );
}

describe('faults under load', () => {
  it('stage 5: redirects counted through six partitions and heals, with merges duplicated and delayed, count exactly once on every node', async () => {
    const codes = await newLinks();
    await injectFaults({ duplicate: 0.3, delay: { rate: 0.3, minMs: 5, maxMs: 60 } });
    const load = redirectLoad(codes);
    for (let round = 0; round < 6; round++) {
      await load.more(40);
      await Schism.partition([nodes[round % nodes.length] as NodeName]);
      await load.more(40);
      await Schism.heal(nodes);
    }
    await load.more(20);
    await load.stop();
    for (const code of codes) expect(load.answered.get(code), `every redirect is answered while no node is down (${code})`).toBe(load.tried.get(code));
    const counts = await converged(codes, load.answered);
    const summary = codes.map((c) => `${c} ${counts.get(c)}/${load.answered.get(c)}`).join(', ');
    process.stdout.write(`faults under load (stage 5, partitions): counts/redirects answered: ${summary}\n`);
    for (const code of codes) expect(counts.get(code), `${code}: every node counts each answered redirect exactly once`).toBe(load.answered.get(code));
  });

  it('stage 5: nodes killed -9 and restarted under load: the survivors never lose a count, nothing counts twice, and every node converges', async () => {
    const codes = await newLinks();
    const load = redirectLoad(codes);
    const kept = new Map(codes.map((c) => [c, 0]));
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      await load.more(60);
      const victim = nodes[round % nodes.length] as NodeName;
      await LocalCluster.kill(victim);
      kills++;
      // What the survivors count now must still be counted at the end.
      for (const code of codes) {
        for (const node of nodes.filter((n) => n !== victim)) kept.set(code, Math.max(kept.get(code) ?? 0, (await countOn(node, code)) ?? 0));
      }
      await LocalCluster.restart(victim);
      ports.set(victim, await rpc.call<number>(victim, CRDT_FIXTURES, 'shortenerPort'));
    }
    await load.more(60);
    await load.stop();
    const counts = await converged(codes);
    let hidden = 0;
    for (const code of codes) {
      const final = counts.get(code) as number;
      expect(final, `${code}: the survivors had counted ${kept.get(code)} before a kill; the converged count may not be lower`).toBeGreaterThanOrEqual(kept.get(code) as number);
      expect(final, `${code}: counted more than the ${load.tried.get(code)} redirects tried`).toBeLessThanOrEqual(load.tried.get(code) as number);
      hidden += Math.max(0, (load.answered.get(code) as number) - final);
    }
    const answered = [...load.answered.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `faults under load (stage 5, kills): ${kills} node kills and restarts, ${answered} redirects answered, ${answered - hidden} counted after convergence; ` +
        `${hidden} were served by a node that died before its merges left, or by a restarted node before the others' merges reached it (the lesson's "Identity matters too")\n`,
    );
  });
});
