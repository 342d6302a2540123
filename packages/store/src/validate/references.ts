/**
 * References an object makes (pool -> monitor, virtual -> pool and profiles, profile -> parent,
 * client-ssl -> certificate and key, pool member -> node), found by walking the schema.
 */
import { MONITOR_TYPES, errors, getType, type PropertyTable, type SourcePosition } from '@openltm/model';
import { parseMonitorRule } from '../monitor-rule';
import { bigipBuiltin } from '../bigip-builtins';
import { isPreservedType } from '../preserved';
import type { ObjectRecord, ObjectRepository } from '../object-repository';
import { isProps, type StoredProps } from '../stored-value';
import { destinationAddress, findVirtualAddress } from './virtual-address';
import { placeholder, type UnresolvedRef } from '../unresolved';

export interface Reference {
  /** Types the target may have. */
  to: readonly string[];
  path: string;
  /** Property path the reference sits at (`profiles`, `members /Common/10.0.0.1:25`). */
  via: string;
}

export { MONITOR_TYPES };

/** The member name's node: `/Common/10.0.0.1:25` -> `/Common/10.0.0.1`, `/Common/2001:db8::1.25` -> `/Common/2001:db8::1`. */
export function memberNode(member: string): { node: string; port: number } {
  const m = /^(.*)[:.](\d+)$/.exec(member)!;
  return { node: m[1], port: Number(m[2]) };
}

function walk(table: PropertyTable, props: StoredProps, prefix: string, out: Reference[]): void {
  for (const [name, def] of Object.entries(table)) {
    const v = props[name];
    if (v === undefined) continue;
    const via = prefix ? `${prefix} ${name}` : name;
    const t = def.type;
    if (t.kind === 'reference' && typeof v === 'string' && v !== 'none') out.push({ to: t.to, path: v, via });
    else if (t.kind === 'monitor-rule' && typeof v === 'string') {
      for (const m of parseMonitorRule(v).monitors) out.push({ to: MONITOR_TYPES, path: m, via });
    } else if (t.kind === 'list' && t.item.kind === 'reference' && Array.isArray(v)) {
      for (const item of v) out.push({ to: t.item.to, path: item, via });
    } else if (t.kind === 'object' && isProps(v)) walk(t.properties, v, via, out);
    else if (t.kind === 'collection' && isProps(v)) {
      for (const [key, entry] of Object.entries(v)) {
        if (t.key.kind === 'reference') out.push({ to: t.key.to, path: key, via });
        if (t.key.kind === 'member') out.push({ to: ['ltm node'], path: memberNode(key).node, via: `${via} ${key}` });
        if (isProps(entry)) walk(t.entry, entry, `${via} ${key}`, out);
      }
    }
  }
}

export function collectReferences(rec: ObjectRecord): Reference[] {
  const def = getType(rec.type)!;
  const out: Reference[] = [];
  walk(def.properties, rec.props, '', out);
  return out;
}

/** What mcpd calls the target in "was not found": the type's kind, or `profile` / `Monitor` for groups. */
export function kindOfTargets(to: readonly string[]): string {
  if (to.length === 1) return getType(to[0])?.kindName ?? to[0];
  if (to.every((t) => t.startsWith('ltm profile '))) return 'profile';
  if (to.every((t) => t.startsWith('ltm monitor '))) return 'Monitor';
  if (to.every((t) => t.startsWith('ltm persistence '))) return 'persistence profile';
  return 'object';
}

export function resolve(repo: ObjectRepository, ref: Reference): ObjectRecord | undefined {
  for (const t of ref.to) {
    const hit = repo.get(t, ref.path);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * `ltm profile ` or `ltm monitor ` when every target type is of that family (where unmodelled
 * types may stand in). A virtual's `profiles` also lists security and access policies
 * (`asm policy`, `apm profile access`): any kept type may answer a profile reference.
 */
function familyOf(to: readonly string[]): string | undefined {
  for (const family of ['ltm profile ', 'ltm monitor ']) if (to.every((t) => t.startsWith(family))) return family;
  return undefined;
}

function mayAnswer(family: string, type: string): boolean {
  if (!isPreservedType(type) || type === 'auth partition' || type === 'sys folder') return false;
  if (type.startsWith(family)) return true;
  return family === 'ltm profile ' && /(^| )(profile|policy)( |$)/.test(type);
}

/** A reference to something openltm does not model: a preserved object, or a BIG-IP built-in it does not have. */
export interface UnmodeledReference {
  from: ObjectRecord;
  via: string;
  path: string;
  /** The type of what it names (`ltm profile http`). */
  type: string;
  builtin: boolean;
}

/**
 * A reference that no modelled object answers: a preserved object of the same family
 * (`ltm profile http /Common/my_http`), else one of BIG-IP's built-ins (`/Common/http`).
 */
export function resolveUnmodeled(repo: ObjectRepository, ref: Reference): { rec?: ObjectRecord; type: string } | undefined {
  const family = familyOf(ref.to);
  for (const t of family ? repo.types() : []) {
    if (!family || !mayAnswer(family, t)) continue;
    // Saved files name objects by full path; `list` output in /Common by the bare name.
    const hit = repo.get(t, ref.path) ?? (ref.path.startsWith('/Common/') && t.startsWith('ltm ') ? repo.get(t, ref.path.slice(8)) : undefined);
    if (hit) return { rec: hit, type: t };
  }
  const type = bigipBuiltin(ref.to, family, ref.path);
  return type ? { type } : undefined;
}

/**
 * Resolves every reference of `rec` and records them; a missing target is `01020036`, unless
 * `keepMissing` allows it (a loaded fragment of an estate): then it is kept by name, pointing at
 * the target's placeholder, and returned in `missing` for the caller to mark. Returns the
 * references to what openltm does not model, for the caller to mark and report.
 */
export function linkReferences(
  repo: ObjectRepository,
  rec: ObjectRecord,
  position?: SourcePosition,
  keepMissing?: (ref: Reference) => boolean,
  missing: UnresolvedRef[] = [],
): UnmodeledReference[] {
  const rows: { toId: number; via: string }[] = [];
  const unmodeled: UnmodeledReference[] = [];
  for (const ref of collectReferences(rec)) {
    let target = resolve(repo, ref);
    if (!target) {
      const u = resolveUnmodeled(repo, ref);
      if (!u) {
        if (!keepMissing?.(ref)) throw errors.notFound(kindOfTargets(ref.to), ref.path, position);
        missing.push({ via: ref.via, path: ref.path, kind: kindOfTargets(ref.to) });
        rows.push({ toId: placeholder(repo, ref.path).id, via: ref.via });
        continue;
      }
      unmodeled.push({ from: rec, via: ref.via, path: ref.path, type: u.type, builtin: !u.rec });
      target = u.rec;
    }
    if (target && target.id !== rec.id) rows.push({ toId: target.id, via: ref.via });
  }
  // A virtual uses the virtual address of its destination (found by address, not by name).
  if (rec.type === 'ltm virtual') {
    const a = destinationAddress(rec.props.destination);
    const va = a && findVirtualAddress(repo, a.address);
    if (a && !va) throw errors.notFound('Virtual Address', a.path, position);
    if (va) rows.push({ toId: va.id, via: 'destination' });
  }
  repo.setRefs(rec.id, rows);
  return unmodeled;
}
