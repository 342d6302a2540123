/**
 * What `show` says of objects that carry no counters of their own (SNAT pools, translations,
 * iRules): who uses them, and why one is not acted on, in the words the load summary uses
 * (BIG-IP's codes: 01020036 for a reference kept by name, 01070734 for a missing property).
 */
import { ErrorCodes } from '@openltm/model';
import type { ExecContext } from './executor';
import { relativeName } from './names';
import type { ObjectRecord } from './object-repository';
import type { ShowBlock, ShowStatusRow } from './show-data';
import { notServedReasons } from './validate/rules';
import { INCOMPLETE_KEY, unresolvedRefs } from './unresolved';

/** Why an object itself is not acted on, as `load` said it (empty when nothing holds it back). */
export function ownNotActedOn(rec: ObjectRecord): string[] {
  const out = unresolvedRefs(rec.props).map((r) => `${ErrorCodes.NOT_FOUND}:3: The requested ${r.kind} (${r.path}) was not found (kept by name; acted on once it exists).`);
  const incomplete = rec.props[INCOMPLETE_KEY];
  if (typeof incomplete === 'string') out.push(`${ErrorCodes.CONFIG_ERROR}:3: Configuration error: ${incomplete}`);
  out.push(...notServedReasons(rec.props));
  return out;
}

/** The objects of `type` that refer to `rec` (a virtual's rules, a SNAT pool's members), sorted by path. */
export function referrersOf(ctx: ExecContext, rec: ObjectRecord, type: string): ObjectRecord[] {
  const out = new Map<number, ObjectRecord>();
  for (const r of ctx.ops.repo.referrers(rec.id)) {
    const from = ctx.ops.repo.getById(r.fromId);
    if (from && from.type === type) out.set(from.id, from);
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** A virtual the data plane serves: not marked not served, and enabled. */
export function virtualServed(v: ObjectRecord): boolean {
  return notServedReasons(v.props).length === 0 && v.props.enabled !== 'disabled';
}

/** `vs_a, vs_b` relative to the current folder, or `none`. */
export function names(recs: readonly ObjectRecord[], folder: string): string {
  return recs.length ? recs.map((r) => relativeName(r.path, folder)).join(', ') : 'none';
}

export const NOT_COUNTED = 'not counted: openltm counts traffic per virtual server, pool, pool member and node';

/** A block of status lines only, for objects without counters of their own: BIG-IP's title, then the rows. */
export function statusBlock(rec: ObjectRecord, ctx: ExecContext, kind: string, status: ShowStatusRow[]): ShowBlock {
  return { type: rec.type, name: rec.path, title: `Ltm::${kind}: ${relativeName(rec.path, ctx.session.folder)}`, titleWidth: 63, statusWidth: 15, status, tables: [] };
}
