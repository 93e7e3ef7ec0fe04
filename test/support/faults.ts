// Faults in a test: inject them and, if the test fails, print the seed and the
// command that replays the same fault decisions.
import { onTestFailed } from 'vitest';
import { Faults, type FaultConfig } from '../../lib/cluster/index.ts';

export async function injectFaults(config: Omit<FaultConfig, 'seed'> & { seed?: number }): Promise<number> {
  const seed = await Faults.inject(config);
  onTestFailed(({ task }) => {
    process.stderr.write(`\nfaults were injected with seed ${seed}; replay them with:\n  DISTSYS_SEED=${seed} npm test -- ${task.file?.name ?? ''} -t "${task.name}"\n`);
  });
  return seed;
}
