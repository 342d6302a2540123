/**
 * Connection-rate counters for BIG-IP's virtual `rate-limit`: new connections per second per key.
 * Each key keeps this second's and the previous second's counts and estimates the rate over the
 * last sliding second (prev weighted by how much of it is still inside, plus cur), so a client
 * cannot double its budget at a window edge. O(1) per connection, and bounded memory: the map is
 * kept in last-use order, stale keys are swept from its head, and past `maxKeys` the least
 * recently used key is forgotten (that key's next connection starts a fresh count).
 */

interface Window {
  start: number;
  cur: number;
  prev: number;
}

const SECOND = 1000;

export class RateWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly maxKeys = 100_000) {}

  get size(): number {
    return this.windows.size;
  }

  /** Counts one new connection under `key` unless the last second already saw `limit`; false = over. */
  take(key: string, limit: number, now: number): boolean {
    let w = this.windows.get(key);
    if (w) {
      this.windows.delete(key);
      const elapsed = now - w.start;
      if (elapsed >= 2 * SECOND || elapsed < 0) w = { start: now, cur: 0, prev: 0 };
      else if (elapsed >= SECOND) w = { start: w.start + SECOND, cur: 0, prev: w.cur };
    } else {
      w = { start: now, cur: 0, prev: 0 };
    }
    const inside = 1 - (now - w.start) / SECOND;
    const ok = w.prev * inside + w.cur < limit;
    if (ok) w.cur++;
    this.windows.set(key, w);
    this.sweep(now);
    return ok;
  }

  /** Forget keys idle for two seconds (they count nothing any more), oldest first, and cap the size. */
  private sweep(now: number): void {
    for (const [key, w] of this.windows) {
      if (this.windows.size <= this.maxKeys && now - w.start < 2 * SECOND) break;
      this.windows.delete(key);
    }
  }
}
