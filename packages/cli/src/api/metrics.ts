/**
 * Prometheus metrics (prom-client): per virtual, pool and member connections, bytes, STARTTLS
 * offered/upgraded/refused, handshake failures, availability and monitor state, read from the
 * data plane's last report at each scrape; and this process's event-loop lag and memory.
 * Counters are the data plane's own totals since it started (a restart is a counter reset).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '@openltm/store';
import { readStats, type StatsSnapshot } from './stats-source';

type Labels<T extends string> = Record<T, string>;

/** A counter whose value is set from an outside total at scrape time. */
function totals<T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[], values: () => Array<[Labels<T>, number]>): void {
  new Counter<T>({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const [labels, v] of values()) this.inc(labels as never, Math.max(0, v));
    },
  });
}

function gauge<T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[], values: () => Array<[Labels<T>, number]>): void {
  new Gauge<T>({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const [labels, v] of values()) this.set(labels as never, v);
    },
  });
}

const MONITOR_STATES = ['up', 'down', 'unchecked', 'checking', 'unknown'] as const;

export function createMetrics(store: Store): { contentType: string; scrape(): Promise<string> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openltm_', eventLoopMonitoringPrecision: 20 });
  // One read of the store per scrape, shared by every metric.
  let snap: StatsSnapshot = { virtuals: [], pools: [] };
  const virtuals = <K extends string>(f: (v: StatsSnapshot['virtuals'][number]) => number) => () =>
    snap.virtuals.map((v) => [{ virtual: v.name } as Labels<K>, f(v)] as [Labels<K>, number]);
  const members = (f: (m: StatsSnapshot['pools'][number]['members'][number]) => number) => () =>
    snap.pools.flatMap((p) => p.members.map((m) => [{ pool: p.name, member: m.member }, f(m)] as [Labels<'pool' | 'member'>, number]));
  const vs = (k: keyof NonNullable<StatsSnapshot['virtuals'][number]['status']>['stats']) => virtuals<'virtual'>((v) => v.status?.stats[k] ?? 0);
  const V = ['virtual'] as const;
  const M = ['pool', 'member'] as const;

  totals(registry, 'openltm_virtual_connections_total', 'Client connections accepted by the virtual server', V, vs('clientTotConns'));
  gauge(registry, 'openltm_virtual_connections', 'Client connections open now', V, vs('clientCurConns'));
  totals(registry, 'openltm_virtual_bytes_in_total', 'Bytes received from clients', V, vs('clientBytesIn'));
  totals(registry, 'openltm_virtual_bytes_out_total', 'Bytes sent to clients', V, vs('clientBytesOut'));
  totals(registry, 'openltm_virtual_starttls_offered_total', 'EHLO replies that offered STARTTLS', V, vs('starttlsOffered'));
  totals(registry, 'openltm_virtual_starttls_upgraded_total', 'Sessions upgraded to TLS', V, vs('starttlsUpgraded'));
  totals(registry, 'openltm_virtual_starttls_refused_total', 'Commands refused with 530 before TLS (require mode)', V, vs('refusedBeforeTls'));
  totals(registry, 'openltm_virtual_tls_handshake_failures_total', 'TLS handshakes that failed', V, vs('tlsHandshakeFailures'));
  totals(registry, 'openltm_virtual_messages_total', 'Messages relayed', V, vs('messages'));
  totals(registry, 'openltm_virtual_connection_limit_rejected_total', 'Clients turned away over the connection limit', V, vs('connectionLimitRejected'));
  gauge(registry, 'openltm_virtual_available', '1 when the virtual server is available (enabled, listening, a member up)', V, virtuals((v) => (v.status?.availability === 'available' ? 1 : 0)));

  totals(registry, 'openltm_pool_member_connections_total', 'Server-side connections opened to the member', M, members((m) => m.status?.stats.totConns ?? 0));
  gauge(registry, 'openltm_pool_member_connections', 'Server-side connections open now', M, members((m) => m.status?.stats.curConns ?? 0));
  totals(registry, 'openltm_pool_member_bytes_in_total', 'Bytes received from the member', M, members((m) => m.status?.stats.bytesIn ?? 0));
  totals(registry, 'openltm_pool_member_bytes_out_total', 'Bytes sent to the member', M, members((m) => m.status?.stats.bytesOut ?? 0));
  gauge(registry, 'openltm_pool_member_available', '1 when the member takes new sessions', M, members((m) => (m.status?.availability === 'available' ? 1 : 0)));
  gauge(registry, 'openltm_pool_member_enabled', '0 when the administrator disabled or forced the member down', M, members((m) => (m.forcedDown || m.disabled ? 0 : 1)));
  gauge(registry, 'openltm_pool_member_monitor_state', 'The monitor state of the member: 1 for the current state', ['pool', 'member', 'state'] as const, () =>
    snap.pools.flatMap((p) => p.members.flatMap((m) => MONITOR_STATES.map((s) => [{ pool: p.name, member: m.member, state: s }, (m.status?.monitorStatus ?? 'unknown') === s ? 1 : 0] as [Labels<'pool' | 'member' | 'state'>, number]))),
  );
  gauge(registry, 'openltm_pool_available_members', 'Members of the pool available now', ['pool'] as const, () =>
    snap.pools.map((p) => [{ pool: p.name }, p.members.filter((m) => m.status?.availability === 'available').length] as [Labels<'pool'>, number]),
  );
  gauge(registry, 'openltm_pool_members', 'Members configured in the pool', ['pool'] as const, () => snap.pools.map((p) => [{ pool: p.name }, p.members.length] as [Labels<'pool'>, number]));
  gauge(registry, 'openltm_status_report_age_seconds', 'Seconds since the data plane last reported (NaN when it never did)', [] as const, () => {
    const info = store.statusInfo();
    return [[{}, info ? (Date.now() - info.at) / 1000 : NaN]];
  });

  return {
    contentType: registry.contentType,
    async scrape() {
      snap = readStats(store);
      return registry.metrics();
    },
  };
}
