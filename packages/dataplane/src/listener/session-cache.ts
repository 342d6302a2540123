/**
 * The TLS session-ID cache of one virtual (per worker, as BIG-IP's per-TMM cache): at most
 * `cache-size` sessions, each resumable for `cache-timeout`. Oldest entries go first.
 */
export class SessionCache {
  private readonly entries = new Map<string, { data: Buffer; expires: number }>();

  constructor(private readonly maxEntries: number, private readonly lifetimeMs: number, private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.entries.size;
  }

  set(id: Buffer, data: Buffer): void {
    const key = id.toString('hex');
    this.entries.delete(key);
    this.entries.set(key, { data, expires: this.now() + this.lifetimeMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get(id: Buffer): Buffer | undefined {
    const key = id.toString('hex');
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.data;
  }
}
