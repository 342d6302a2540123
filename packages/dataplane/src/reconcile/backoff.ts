/** Retry timing for virtuals whose listener failed with an error that may clear by itself. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };

/** Delay before retry number `attempts` (1 = after the first failure): doubling, capped. */
export function retryDelay(attempts: number, policy: BackoffPolicy = defaultBackoff): number {
  const n = Math.max(1, attempts);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 30));
}

/**
 * Errors worth retrying without a configuration change: the port is held by someone else, the
 * address is not configured on the host yet, the process ran out of descriptors. A key that
 * does not load or a cipher string OpenSSL rejects will fail the same way until the
 * configuration changes, so those are not retried.
 */
const RETRYABLE = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/** A one-line reason for status and logs; never includes key material (errors carry none). */
export function failureReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; toString?: () => string } | null;
  if (e && typeof e === 'object' && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    const msg = typeof e.message === 'string' ? e.message : '';
    return msg.includes(e.code) ? msg : `${msg} (${e.code})`;
  }
  if (e && typeof e === 'object' && typeof e.message === 'string') return String(e.toString?.() ?? e.message);
  return String(err);
}
