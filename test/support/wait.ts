// The one way the kit's tests wait: for a condition, with a bound, never a fixed sleep.
import { vi } from 'vitest';

export function waitFor<T>(check: () => T | Promise<T>, timeout = 10_000, interval = 20): Promise<T> {
  return vi.waitFor(check, { timeout, interval });
}
