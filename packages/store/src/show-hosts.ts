/**
 * On a cluster store every host reports its own status; `show` prints the sum and then each
 * host on its own: a status line per host (availability, the generation it serves, how old its
 * last report is) and a table of its counters.
 */
import type { MemberStatus, VirtualStatus } from '@openltm/model';
import type { ShowTable } from './show-data';
import type { StatusView } from './status';

export interface HostStatusView {
  /** Each host's own status of a virtual, by host name. */
  virtualHosts(name: string): Array<{ host: string; status: VirtualStatus; generation?: number; at?: number }>;
  /** Each host's own view of a pool member (every host runs its own monitors). */
  memberHosts(pool: string, member: string): Array<{ host: string; status: MemberStatus }>;
}

/** A status line per host for a pool member: what that host's monitors say. */
export function memberHostLines(view: StatusView, pool: string, member: string): Array<{ label: string; field: string; value: string }> {
  if (!hasHosts(view)) return [];
  return view.memberHosts(pool, member).map((h) => ({ label: `Host ${h.host}`, field: `hosts.${h.host}.monitor-status`, value: `${h.status.availability}, monitor ${h.status.monitorStatus}` }));
}

export function hasHosts(view: StatusView): view is StatusView & HostStatusView {
  return typeof (view as Partial<HostStatusView>).virtualHosts === 'function';
}

/** Status lines and a counter table for each host reporting the virtual (none on a single-host store). */
export function virtualHostLines(view: StatusView, name: string, now = Date.now()): { lines: Array<{ label: string; field: string; value: string }>; table?: ShowTable } {
  if (!hasHosts(view)) return { lines: [] };
  const hosts = view.virtualHosts(name);
  if (hosts.length === 0) return { lines: [] };
  const lines = hosts.map((h) => ({
    label: `Host ${h.host}`,
    field: `hosts.${h.host}.status`,
    value: `${h.status.availability}${h.generation !== undefined ? `, generation ${h.generation}` : ''}${h.at !== undefined ? `, reported ${Math.max(0, Math.round((now - h.at) / 1000))} s ago` : ''}`,
  }));
  const table: ShowTable = {
    heading: 'Hosts',
    columns: ['Current', 'Total', 'Messages'],
    rows: hosts.map((h) => ({
      label: h.host,
      cells: [
        { field: `hosts.${h.host}.cur-conns`, value: h.status.stats.clientCurConns },
        { field: `hosts.${h.host}.tot-conns`, value: h.status.stats.clientTotConns },
        { field: `hosts.${h.host}.total-requests`, value: h.status.stats.messages },
      ],
    })),
  };
  return { lines, table };
}
