// A warning that an attacker (or a flood of misconfigured clients) could
// trigger thousands of times a second is printed once per period and key, with
// the number of repeats it swallowed: the log says what happened without
// becoming the attack.
export type Warn = (message: string) => void;

export function throttled(warn: Warn, periodMs = 10_000): (key: string, message: string) => void {
  const recent = new Map<string, { until: number; swallowed: number }>();
  return (key, message) => {
    const now = Date.now();
    const entry = recent.get(key);
    if (entry && now < entry.until) {
      entry.swallowed++;
      return;
    }
    const more = entry?.swallowed ? ` (and ${entry.swallowed} more like it in the last ${Math.round(periodMs / 1000)} s)` : '';
    recent.set(key, { until: now + periodMs, swallowed: 0 });
    if (recent.size > 1_000) recent.clear(); // keys come from the network: never let them pile up
    warn(`${message}${more}`);
  };
}
