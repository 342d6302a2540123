import type { VirtualStats } from '@openltm/model';

export const zeroVirtualStats = (): VirtualStats => ({
  clientCurConns: 0,
  clientMaxConns: 0,
  clientTotConns: 0,
  clientBytesIn: 0,
  clientBytesOut: 0,
  starttlsOffered: 0,
  starttlsUpgraded: 0,
  refusedBeforeTls: 0,
  tlsHandshakeFailures: 0,
  pipelinedDiscarded: 0,
  smugglingBlocked: 0,
  connectionLimitRejected: 0,
  rateLimitRejected: 0,
  sourceLimitRejected: 0,
  sessionTimeouts: 0,
  messages: 0,
  authRefusedBeforeTls: 0,
  earlyTalkers: 0,
  clientCertValid: 0,
  clientCertInvalid: 0,
  clientCertNone: 0,
  xclientSent: 0,
  xclientFallbacks: 0,
});

/**
 * Sums the counters of two listeners of one virtual (an old one draining, a new one serving).
 * Current connections only count while `live`; the maximum is the larger of the two, as
 * listeners that overlap briefly do not make a meaningful combined peak.
 */
export function addStats(a: VirtualStats, b: VirtualStats, live: boolean): VirtualStats {
  const out = { ...a };
  for (const key of Object.keys(out) as (keyof VirtualStats)[]) {
    if (key === 'clientMaxConns') out[key] = Math.max(a[key], b[key]);
    else if (key === 'clientCurConns') out[key] = a[key] + (live ? b[key] : 0);
    else out[key] = (a[key] ?? 0) + (b[key] ?? 0);
  }
  return out;
}
