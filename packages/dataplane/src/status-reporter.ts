import type { StatusReport, VirtualStatus } from '@openltm/model';
import type { VirtualSpec } from './desired-state';
import type { ListenerSet } from './reconcile/apply';

/** What status needs of the listeners: the ListenerSet, or the primary's view of its workers. */
export type ListenerView = Pick<ListenerSet, 'stats' | 'failure' | 'listener'>;
import type { PoolSet, PoolStatus } from './pool/pool-set';

/** The status report plus the pools' own status (the model's StatusReport has no pool list yet). */
export interface DataPlaneStatus extends StatusReport {
  pools: PoolStatus[];
}

const VIRTUAL_REASON = {
  available: 'The virtual server is available',
  offline: 'The children pool member(s) are down',
  unknown: "The children pool member(s) either don't have service checking enabled, or service check results are not available yet",
} as const;

/**
 * One virtual's status as `show ltm virtual` prints it. A virtual that could not start is
 * `offline` with the reason; a running one takes its availability from its pool, as BIG-IP
 * does; a failed edit of a running virtual is named in the reason while the old one serves.
 */
export function virtualStatus(spec: VirtualSpec, listeners: ListenerView, pools: PoolSet, now: number): VirtualStatus {
  const state = spec.enabled ? 'enabled' : 'disabled';
  const stats = listeners.stats(spec.name);
  const failure = listeners.failure(spec.name);
  const running = listeners.listener(spec.name);
  if (spec.enabled && !running) {
    if (!failure) return { name: spec.name, availability: 'unknown', state, reason: 'The virtual server is being configured', stats };
    const retry = failure.retryable ? ` (retry in ${Math.max(0, Math.ceil((failure.retryAt - now) / 1000))} s)` : '';
    return { name: spec.name, availability: 'offline', state, reason: `${failure.reason}${retry}`, stats };
  }
  const pool = spec.pool ? pools.availability(spec.pool) : undefined;
  const availability = pool?.availability ?? 'unknown';
  let reason = pool ? VIRTUAL_REASON[availability] : 'The virtual server has no default pool';
  if (!spec.enabled) reason = `${reason}; the virtual server is disabled`;
  if (failure && running) reason = `${reason}; the last configuration change was not applied: ${failure.reason}`;
  if (running?.notice) reason = `${reason}; not deliverable on this host: ${running.notice}`;
  return { name: spec.name, availability, state, reason, stats };
}

/** The whole report: every desired virtual, every pool member, every pool. */
export function buildStatus(generation: number, virtuals: readonly VirtualSpec[], listeners: ListenerView, pools: PoolSet, now: number): DataPlaneStatus {
  return {
    generation,
    at: now,
    virtuals: virtuals.map((v) => virtualStatus(v, listeners, pools, now)),
    members: pools.memberStatuses(),
    pools: pools.poolStatuses(),
  };
}
