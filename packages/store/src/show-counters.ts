/** Counters as `show` prints them: since the last reset-stats, and what is said before any report. */

export const NO_REPORT = 'No status reported yet: the data plane is not running or has not applied this configuration';

/** Counters minus the reset-stats baseline (a restarted data plane counting from 0 ignores it). */
export function sinceReset<T extends object>(stats: T, base: Record<string, number> | undefined): T {
  if (!base) return stats;
  const out = { ...stats } as Record<string, number>;
  for (const [k, v] of Object.entries(stats as Record<string, number>)) {
    if (k === 'curConns' || k === 'clientCurConns' || typeof v !== 'number') continue;
    const b = base[k] ?? 0;
    out[k] = v >= b ? v - b : v;
  }
  return out as T;
}
