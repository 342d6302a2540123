/**
 * `show ltm virtual-address`: as BIG-IP, the address is available when a virtual server on it
 * is, offline when every one is, and unknown before a report; its ClientSide counters are the sums
 * of the counters of the virtual servers on it (each virtual's own reset-stats does not touch
 * them; the address's reset-stats does).
 */
import type { VirtualStats } from '@openltm/model';
import type { ExecContext } from './executor';
import { relativeName } from './names';
import type { ObjectRecord } from './object-repository';
import type { ShowBlock, ShowCell } from './show-data';
import { NO_REPORT, sinceReset } from './show-counters';
import { names, referrersOf } from './show-uses';
import { notServedReasons } from './validate/rules';

type AddressCounters = Pick<VirtualStats, 'clientBytesIn' | 'clientBytesOut' | 'clientCurConns' | 'clientTotConns'>;

/** The virtuals on the address: they refer to it (validate/virtual-address.ts ties them). */
export function virtualsOn(ctx: ExecContext, rec: ObjectRecord): ObjectRecord[] {
  return referrersOf(ctx, rec, 'ltm virtual');
}

/** The sums of the data plane's counters of the virtuals on the address (no baseline subtracted). */
export function addressCounters(ctx: ExecContext, rec: ObjectRecord): AddressCounters {
  const out: AddressCounters = { clientBytesIn: 0, clientBytesOut: 0, clientCurConns: 0, clientTotConns: 0 };
  for (const v of virtualsOn(ctx, rec)) {
    const s = ctx.status.virtual(v.path)?.stats;
    if (!s) continue;
    for (const k of Object.keys(out) as (keyof AddressCounters)[]) out[k] += s[k];
  }
  return out;
}

function availabilityOf(ctx: ExecContext, virtuals: ObjectRecord[]): { availability: string; reason: string } {
  if (!virtuals.length) return { availability: 'unknown', reason: 'No virtual server uses this address' };
  // A virtual openltm does not serve has no listener: it counts as down, as show ltm virtual says.
  const each = virtuals.map((v) => (notServedReasons(v.props).length ? 'offline' : ctx.status.virtual(v.path)?.availability ?? 'unknown'));
  if (each.includes('available')) return { availability: 'available', reason: 'The virtual address is available' };
  if (virtuals.every((v) => notServedReasons(v.props).length)) return { availability: 'offline', reason: 'No virtual server on it is served by openltm (show ltm virtual says why)' };
  if (each.every((a) => a === 'offline')) return { availability: 'offline', reason: 'The children virtual server(s) are down' };
  const reported = virtuals.some((v) => ctx.status.virtual(v.path));
  return { availability: 'unknown', reason: reported ? "The children virtual server(s) either don't have service checking enabled, or service check results are not available yet" : NO_REPORT };
}

export function showVirtualAddress(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
  const eff = ctx.ops.effective(rec);
  const folder = ctx.session.folder;
  const virtuals = virtualsOn(ctx, rec);
  const { availability, reason } = availabilityOf(ctx, virtuals);
  const enabled = eff.enabled !== 'no';
  const limit = Number(eff['connection-limit'] ?? 0);
  const s = sinceReset(addressCounters(ctx, rec), ctx.status.baseline('virtual-address', rec.path));
  const c = (field: string, value: number): ShowCell => ({ field: `clientside.${field}`, value });
  return {
    type: rec.type,
    name: rec.path,
    title: `Ltm::Virtual Address: ${relativeName(rec.path, folder)}`,
    titleWidth: 63,
    statusWidth: 16,
    status: [
      { label: 'Availability', field: 'status.availability-state', value: availability },
      { label: 'State', field: 'status.enabled-state', value: enabled ? 'enabled' : 'disabled' },
      { label: 'Reason', field: 'status.status-reason', value: enabled ? reason : `The virtual address is disabled: no virtual server on it takes connections. ${reason}` },
      { label: 'Address', field: 'addr', value: String(eff.address) },
      ...(limit > 0 ? [{ label: 'Connection Limit', field: 'connection-limit', value: limit }] : []),
      { label: 'Virtual Servers', field: 'virtual-servers', value: names(virtuals, folder) },
    ],
    tables: [
      {
        heading: 'Traffic',
        columns: ['ClientSide'],
        labelWidth: 31,
        // Maximum Connections is left out: the most at once on the address is not the sum of each virtual's most.
        rows: [
          { label: 'Bits In', cells: [c('bits-in', s.clientBytesIn * 8)] },
          { label: 'Bits Out', cells: [c('bits-out', s.clientBytesOut * 8)] },
          { label: 'Current Connections', cells: [c('cur-conns', s.clientCurConns)] },
          { label: 'Total Connections', cells: [c('tot-conns', s.clientTotConns)] },
        ],
      },
    ],
  };
}
