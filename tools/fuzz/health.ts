// The real peer of the fuzz campaign: all along, it does round trips with the
// target node (rpc), writes to the target's storage and creates links on its
// shortener, and it remembers every write the storage acknowledged and every
// link created, so the campaign can check afterwards that the target kept
// serving and lost nothing.
import { rpc } from '../../lib/index.ts';
import { Storage } from '../../lib/storage/client.ts';

export interface Health {
  readonly roundTrips: number;
  readonly acknowledged: number;
  /** Links the shortener created for the real peer (each must still resolve afterwards). */
  readonly links: number;
  readonly failures: string[];
  /** Stops the loops and checks every acknowledged write is still there; returns the missing keys. */
  finish(): Promise<string[]>;
}

export function watchHealth(targetNode: string, storageUrl: string, shortenerPort: number): Health {
  const storage = Storage.connect(storageUrl);
  const acked = new Map<string, string>();
  const failures: string[] = [];
  let roundTrips = 0;
  let running = true;
  const loop = async (work: (i: number) => Promise<void>) => {
    for (let i = 0; running; i++) {
      try {
        await work(i);
      } catch (err) {
        failures.push((err as Error).message);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const rounds = loop(async () => {
    const up = await rpc.call<number>(targetNode, 'node:os', 'uptime', [], 5_000);
    if (typeof up !== 'number') throw new Error(`the target answered ${String(up)}`);
    roundTrips++;
  });
  const links = new Map<string, string>();
  const base = `http://127.0.0.1:${shortenerPort}`;
  const creates = loop(async (i) => {
    const url = `https://example.org/fuzz/${i}`;
    const res = await fetch(`${base}/`, { method: 'POST', body: new URLSearchParams({ url }), signal: AbortSignal.timeout(5_000) });
    if (res.status !== 201) throw new Error(`the shortener answered ${res.status} to a good create`);
    links.set((await res.text()).trim(), url);
  });
  const writes = loop(async (i) => {
    const key = `ack:${i}`;
    const value = `value ${i}`;
    if (await storage.set(key, value)) acked.set(key, value);
  });
  return {
    get roundTrips() {
      return roundTrips;
    },
    get acknowledged() {
      return acked.size;
    },
    get links() {
      return links.size;
    },
    failures,
    async finish() {
      running = false;
      await Promise.all([rounds, writes, creates]);
      const missing: string[] = [];
      for (const [key, value] of acked) if ((await storage.get(key)) !== value) missing.push(key);
      for (const [code, url] of links) {
        const res = await fetch(`${base}/${code}`, { redirect: 'manual' });
        if (res.status !== 302 || res.headers.get('location') !== url) missing.push(`link ${code}`);
        await res.body?.cancel();
      }
      return missing;
    },
  };
}
