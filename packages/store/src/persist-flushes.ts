/**
 * How long the store keeps `delete ltm persistence persist-records` requests. A running daemon
 * reads a request within moments of its commit and applies it once; a daemon that starts later
 * has no record a request could name. So a request is kept only for `show` (which hides what it
 * removed until the daemon's next report) and for a daemon cut off from the store for a while:
 * an hour, and at most the newest 1,000. The newest is always kept, so sequence numbers only grow.
 */
import type { PersistFlush } from '@openltm/model';

export const FLUSH_KEEP_MS = 3_600_000;
export const MAX_KEPT_FLUSHES = 1000;

/** The requests to prune from `flushes` (sorted by seq) at `now`. */
export function flushesToPrune(flushes: readonly PersistFlush[], now: number): PersistFlush[] {
  const newest = flushes.length - 1;
  return flushes.filter((f, i) => i < newest && (now - f.at > FLUSH_KEEP_MS || i < flushes.length - MAX_KEPT_FLUSHES));
}
