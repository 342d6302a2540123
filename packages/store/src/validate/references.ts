/**
 * References an object makes (pool -> monitor, virtual -> pool and profiles, profile -> parent,
 * client-ssl -> certificate and key, pool member -> node), found by walking the schema.
 */
import { MONITOR_TYPES, errors, getType, type PropertyTable, type SourcePosition } from '@openltm/model';
import { parseMonitorRule } from '../monitor-rule';
import type { ObjectRecord, ObjectRepository } from '../object-repository';
import { isProps, type StoredProps } from '../stored-value';
import { destinationAddress, findVirtualAddress } from './virtual-address';

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

/** Resolves every reference of `rec` and records them; a missing target is `01020036`. */
export function linkReferences(repo: ObjectRepository, rec: ObjectRecord, position?: SourcePosition): void {
  const rows: { toId: number; via: string }[] = [];
  for (const ref of collectReferences(rec)) {
    const target = resolve(repo, ref);
    if (!target) throw errors.notFound(kindOfTargets(ref.to), ref.path, position);
    if (target.id !== rec.id) rows.push({ toId: target.id, via: ref.via });
  }
  // A virtual uses the virtual address of its destination (found by address, not by name).
  if (rec.type === 'ltm virtual') {
    const a = destinationAddress(rec.props.destination);
    const va = a && findVirtualAddress(repo, a.address);
    if (a && !va) throw errors.notFound('Virtual Address', a.path, position);
    if (va) rows.push({ toId: va.id, via: 'destination' });
  }
  repo.setRefs(rec.id, rows);
}
