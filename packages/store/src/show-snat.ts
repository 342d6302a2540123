/**
 * `show ltm snatpool | snat-translation | snat`: whether openltm acts on the object and, when it
 * does not, why (the load summary's words), and what uses it. The data plane counts traffic per
 * virtual server and pool member, not per SNAT address, so no counters are printed: BIG-IP's
 * Traffic table would be zeros that mean nothing.
 */
import type { ExecContext } from './executor';
import { relativeName } from './names';
import type { ObjectRecord } from './object-repository';
import type { ShowBlock, ShowStatusRow } from './show-data';
import { NOT_COUNTED, names, ownNotActedOn, referrersOf, statusBlock, virtualServed } from './show-uses';
import { isProps } from './stored-value';

interface Verdict {
  actedOn: boolean;
  reason: string;
}

const NOT = 'Not acted on: ';

/** A SNAT pool is acted on when it is whole and a served virtual server translates through it. */
export function snatpoolVerdict(ctx: ExecContext, rec: ObjectRecord): Verdict {
  const own = ownNotActedOn(rec);
  if (own.length) return { actedOn: false, reason: NOT + own.join(' ') };
  const virtuals = referrersOf(ctx, rec, 'ltm virtual');
  if (!virtuals.length) {
    const snats = referrersOf(ctx, rec, 'ltm snat');
    const also = snats.length ? ` ltm snat ${names(snats, ctx.session.folder)} names it, and ltm snat is stored only.` : '';
    return { actedOn: false, reason: `${NOT}no virtual server translates through it (source-address-translation { type snat pool ${relativeName(rec.path, ctx.session.folder)} }).${also}` };
  }
  if (!virtuals.some(virtualServed)) return { actedOn: false, reason: `${NOT}no virtual server using it is served or enabled (show ltm virtual says why).` };
  return { actedOn: true, reason: 'Connections to pool members leave from its addresses, in turn' };
}

function block(rec: ObjectRecord, ctx: ExecContext, kind: string, verdict: Verdict, rows: ShowStatusRow[]): ShowBlock {
  return statusBlock(rec, ctx, kind, [
    { label: 'Acted On', field: 'acted-on', value: verdict.actedOn ? 'yes' : 'no' },
    { label: 'Reason', field: 'status.status-reason', value: verdict.reason },
    ...rows,
    { label: 'Traffic', field: 'traffic', value: NOT_COUNTED },
  ]);
}

export function showSnatpool(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
  const folder = ctx.session.folder;
  const members = ctx.ops.effective(rec).members;
  const list = (Array.isArray(members) ? members : []).map((m) => {
    const t = ctx.ops.repo.get('ltm snat-translation', m);
    return `${relativeName(m, folder)}${t && t.props.enabled === 'disabled' ? ' (disabled: skipped)' : ''}`;
  });
  const snats = referrersOf(ctx, rec, 'ltm snat');
  return block(rec, ctx, 'SNAT Pool', snatpoolVerdict(ctx, rec), [
    { label: 'Members', field: 'members', value: list.length ? list.join(', ') : 'none' },
    { label: 'Virtual Servers', field: 'virtual-servers', value: names(referrersOf(ctx, rec, 'ltm virtual'), folder) },
    ...(snats.length ? [{ label: 'SNATs', field: 'snats', value: names(snats, folder) }] : []),
  ]);
}

export function showSnatTranslation(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
  const folder = ctx.session.folder;
  const enabled = ctx.ops.effective(rec).enabled !== 'disabled';
  const pools = referrersOf(ctx, rec, 'ltm snatpool');
  const own = ownNotActedOn(rec);
  const verdict: Verdict = own.length
    ? { actedOn: false, reason: NOT + own.join(' ') }
    : !enabled
      ? { actedOn: false, reason: `${NOT}disabled: the SNAT pools listing it skip this address.` }
      : !pools.length
        ? { actedOn: false, reason: `${NOT}no SNAT pool lists it.` }
        : !pools.some((p) => snatpoolVerdict(ctx, p).actedOn)
          ? { actedOn: false, reason: `${NOT}no SNAT pool listing it is acted on (show ltm snatpool says why).` }
          : { actedOn: true, reason: 'Connections to pool members leave from this address when its SNAT pool gives it the turn' };
  const snats = referrersOf(ctx, rec, 'ltm snat');
  return block(rec, ctx, 'SNAT Translation', verdict, [
    { label: 'Address', field: 'addr', value: String(rec.props.address) },
    { label: 'State', field: 'status.enabled-state', value: enabled ? 'enabled' : 'disabled' },
    { label: 'SNAT Pools', field: 'snatpools', value: names(pools, folder) },
    ...(snats.length ? [{ label: 'SNATs', field: 'snats', value: names(snats, folder) }] : []),
  ]);
}

export function showSnat(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
  const eff = ctx.ops.effective(rec);
  const folder = ctx.session.folder;
  const origins = isProps(eff.origins) ? Object.keys(eff.origins) : [];
  const to = eff.automap !== undefined ? 'automap'
    : eff.snatpool !== undefined && eff.snatpool !== 'none' ? `snatpool ${relativeName(String(eff.snatpool), folder)}`
      : eff.translation !== undefined && eff.translation !== 'none' ? `translation ${relativeName(String(eff.translation), folder)}` : 'none';
  const why = ['stored only: openltm forwards nothing outside its virtual servers; use source-address-translation on a virtual server.', ...ownNotActedOn(rec)];
  return block(rec, ctx, 'SNAT', { actedOn: false, reason: NOT + why.join(' ') }, [
    { label: 'Origins', field: 'origins', value: origins.length ? origins.join(', ') : 'none' },
    { label: 'Translation', field: 'translation', value: to },
  ]);
}
