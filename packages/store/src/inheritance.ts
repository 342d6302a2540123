/**
 * `defaults-from`: an object's own values override its parent's; a value it does not set follows
 * the parent, live. Effective values = schema defaults <- parent's effective values <- own values.
 */
import { typeOf, type ObjectTypeDef, type PropertyTable } from '@openltm/model';
import { defaultValue } from './default-values';
import type { ObjectRecord, ObjectRepository } from './object-repository';
import { isProps, type StoredProps } from './stored-value';

/** The parent of an inheritable object, or undefined for a root (a built-in without a parent). */
export function parentPath(def: ObjectTypeDef, rec: ObjectRecord): string | undefined {
  if (!def.inheritable) return undefined;
  const own = rec.props['defaults-from'];
  if (typeof own === 'string') return own === 'none' || own === rec.path ? undefined : own;
  if (rec.builtin) {
    const b = def.builtins?.find((x) => x.name === rec.path);
    return b?.defaultsFrom;
  }
  return def.builtins?.[0]?.name;
}

const defaultsCache = new WeakMap<PropertyTable, StoredProps>();

/** Schema defaults of a property table (shared and frozen: copy before changing). */
export function tableDefaults(table: PropertyTable): Readonly<StoredProps> {
  let out = defaultsCache.get(table);
  if (!out) {
    out = {};
    for (const [name, def] of Object.entries(table)) {
      const v = defaultValue(def);
      if (v !== undefined) out[name] = v;
    }
    Object.freeze(out);
    defaultsCache.set(table, out);
  }
  return out;
}

/** Fills collection entries and nested objects with their defaults. */
function fillNested(table: PropertyTable, props: StoredProps): StoredProps {
  for (const [name, def] of Object.entries(table)) {
    const v = props[name];
    if (def.type.kind === 'collection' && isProps(v)) {
      const entries: StoredProps = {};
      for (const [k, e] of Object.entries(v)) entries[k] = { ...tableDefaults(def.type.entry), ...(e as StoredProps) };
      props[name] = entries;
    } else if (def.type.kind === 'object') {
      props[name] = { ...tableDefaults(def.type.properties), ...(isProps(v) ? v : {}) };
    }
  }
  return props;
}

/**
 * Effective values of a record: defaults filled, parents resolved (cycle-safe). With
 * `fill: false`, collection entries keep only what was set (the base of a list operation).
 */
export function effectiveProps(repo: ObjectRepository, rec: ObjectRecord, seen: Set<string> = new Set(), fill = true): StoredProps {
  const def = typeOf(rec.type);
  let base: StoredProps = { ...tableDefaults(def.properties) };
  const parent = parentPath(def, rec);
  if (parent && !seen.has(parent)) {
    seen.add(rec.path);
    const p = repo.get(rec.type, parent);
    if (p) {
      const inherited = effectiveProps(repo, p, seen, fill);
      for (const [name, pdef] of Object.entries(def.properties)) {
        if (!pdef.notInherited && inherited[name] !== undefined) base[name] = inherited[name];
      }
    }
  }
  base = { ...base, ...rec.props };
  if (def.inheritable) base['defaults-from'] = parent ?? 'none';
  return fill ? fillNested(def.properties, base) : base;
}
