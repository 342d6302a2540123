/**
 * What /metrics reads: the data plane's last report as the store keeps it, for every configured
 * virtual and pool member. Raw totals on purpose: Prometheus counters must only grow, so they
 * ignore `reset-stats` (which /stats, a rendering of `show`, follows).
 */
import type { MemberStatus, VirtualStatus } from '@openltm/model';
import type { Store, StoredProps } from '@openltm/store';

export interface VirtualSnapshot {
  name: string;
  destination: string;
  enabled: boolean;
  status?: VirtualStatus;
}

export interface MemberSnapshot {
  pool: string;
  member: string;
  /** `user-down` / `user-disabled` as configured. */
  forcedDown: boolean;
  disabled: boolean;
  status?: MemberStatus;
}

export interface StatsSnapshot {
  virtuals: VirtualSnapshot[];
  pools: Array<{ name: string; members: MemberSnapshot[] }>;
}

export function readStats(store: Store): StatsSnapshot {
  const virtuals = store.effective('ltm virtual').map((v) => ({
    name: v.name,
    destination: String(v.properties.destination ?? ''),
    enabled: v.properties.enabled !== 'disabled',
    status: store.virtualStatus(v.name),
  }));
  const pools = store.effective('ltm pool').map((p) => {
    const members = (p.properties.members ?? {}) as Record<string, StoredProps>;
    return {
      name: p.name,
      members: Object.entries(members).map(([member, e]) => ({
        pool: p.name,
        member,
        forcedDown: e.state === 'user-down',
        disabled: e.session === 'user-disabled',
        status: store.memberStatus(p.name, member),
      })),
    };
  });
  return { virtuals, pools };
}
