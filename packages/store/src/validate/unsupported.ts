/**
 * Values openltm cannot honour where ignoring them would be unsafe or would silently change what
 * the virtual does: refused with a BIG-IP-style error (not stored), until the data plane does them.
 * A property that may only take the values here is still what the schema says it is (enforced or
 * stored-only); these rules narrow what is accepted.
 */
import { errors, parseDestination, typeOf } from '@openltm/model';
import type { ObjectRecord } from '../object-repository';
import type { RuleContext } from './rules';

function refuse(rec: ObjectRecord, ctx: RuleContext, setting: string, why: string): never {
  throw errors.notSupported(typeOf(rec.type).kindName, rec.path, setting, why, ctx.position);
}

/** SNAT pool members are bound as they are: a route domain would make every bind fail. */
export function snatpoolSupported(rec: ObjectRecord, ctx: RuleContext): void {
  const members = ctx.effective(rec).members;
  for (const m of Array.isArray(members) ? members : []) {
    const address = ctx.repo.get('ltm snat-translation', m)?.props.address;
    if (String(address ?? m).includes('%')) refuse(rec, ctx, `member ${String(m)}`, 'openltm has no route domains.');
  }
}

/** A virtual's destination, protocol and source as the data plane can serve them. */
export function virtualSupported(rec: ObjectRecord, ctx: RuleContext): void {
  const eff = ctx.effective(rec);
  const destination = String(eff.destination ?? '');
  const d = parseDestination(destination);
  // The data plane opens a listener only for a destination it can parse; anything else would
  // leave the virtual without a listener, status or log line.
  if (!d) refuse(rec, ctx, destination ? `destination ${destination}` : 'no destination', 'openltm cannot listen on it.');
  if (d.routeDomain !== undefined && d.routeDomain !== 0) {
    refuse(rec, ctx, `route domain %${d.routeDomain} in destination`, 'openltm has no route domains; two virtuals would share one socket.');
  }
  if (d.port === 0) refuse(rec, ctx, 'destination port any (0)', 'openltm accepts on listening sockets, one port each; a wildcard port would need transparent proxying of every port.');
  if (eff['ip-protocol'] !== 'tcp') refuse(rec, ctx, `ip-protocol ${String(eff['ip-protocol'])}`, 'openltm proxies SMTP over TCP only.');
  const source = String(eff.source ?? '0.0.0.0/0');
  if (source.includes('%')) refuse(rec, ctx, `route domain in source ${source}`, 'openltm has no route domains.');
  const sat = (eff['source-address-translation'] ?? {}) as Record<string, unknown>;
  const type = String(sat.type ?? 'none');
  const pool = String(sat.pool ?? 'none');
  if (type === 'lsn') refuse(rec, ctx, 'source-address-translation type lsn', 'openltm has no large-scale NAT; use automap or snat.');
  if (type === 'snat' && pool === 'none') refuse(rec, ctx, 'source-address-translation type snat without a pool', 'name an ltm snatpool: source-address-translation { type snat pool NAME }.');
  if (type !== 'snat' && pool !== 'none') refuse(rec, ctx, `source-address-translation pool ${pool} with type ${type}`, 'a SNAT pool is used only with type snat.');
}
