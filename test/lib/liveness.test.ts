// Liveness: a peer that stops answering is declared down after the tick time; a
// closed socket is down at once.
import { beforeAll, describe, expect, it } from 'vitest';
import { NetKernel, Node, receive } from '../../lib/index.ts';
import { startChild, startManager } from '../support/nodes.ts';
import { inProcess } from '../support/inProcess.ts';

const TICK_MS = 1_000;

beforeAll(async () => {
  await startManager({ tickTimeMs: TICK_MS });
});

const nodedownOf = (node: string) => (m: unknown) => (m as { type?: string; node?: string }).type === 'nodedown' && (m as { node: string }).node === node;

describe('liveness', () => {
  it('a peer that stops answering (SIGSTOP) is declared down within the tick time, not before it', () =>
    inProcess(async () => {
      const frozen = await startChild('frozen', { tickTimeMs: TICK_MS });
      expect(await Node.connect(frozen.name)).toBe(true);
      NetKernel.monitorNodes(true);
      const stoppedAt = Date.now();
      await frozen.kill('SIGSTOP');
      try {
        await receive(nodedownOf(frozen.name), 10 * TICK_MS);
        const elapsed = Date.now() - stoppedAt;
        // Silence is judged at the quarter ticks: down after one tick time, at most a quarter tick late
        // (plus scheduling slack on a busy machine).
        expect(elapsed).toBeGreaterThanOrEqual(TICK_MS * 0.75);
        expect(elapsed).toBeLessThan(TICK_MS * 2.5);
        expect(Node.list()).not.toContain(frozen.name);
      } finally {
        await frozen.kill('SIGCONT');
        await frozen.kill('SIGKILL');
        NetKernel.monitorNodes(false);
      }
    }));

  it('a closed socket (kill -9) is down at once, long before any tick', () =>
    inProcess(async () => {
      const doomed = await startChild('doomed', { tickTimeMs: 60_000 });
      expect(await Node.connect(doomed.name)).toBe(true);
      NetKernel.monitorNodes(true);
      const killedAt = Date.now();
      await doomed.kill('SIGKILL');
      await receive(nodedownOf(doomed.name), 10 * TICK_MS);
      expect(Date.now() - killedAt).toBeLessThan(TICK_MS * 0.75);
      NetKernel.monitorNodes(false);
    }));
});
