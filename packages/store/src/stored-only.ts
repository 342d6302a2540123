/**
 * Stored-only properties (the truthful-configuration rule): setting one warns, and `show ltm
 * virtual` lists those in effect on a virtual. Which properties they are is read from the schema
 * (`effect: storedOnly`), never listed here.
 */
import { STORED_ONLY_MONITOR_TYPES, errors, typeOf, type ConfigError, type PropertyTable, type SourcePosition } from '@openltm/model';
import type { Property } from '@openltm/parser';
import { defaultValue } from './default-values';
import { parseMonitorRule } from './monitor-rule';
import type { ObjectRecord, ObjectRepository } from './object-repository';
import { isProps, sameValue, type StoredProps, type StoredValue } from './stored-value';

/** The stored-only properties a create/modify statement sets, as `name` or `parent name` paths. */
function setPaths(table: PropertyTable, properties: readonly Property[], prefix: string[], out: string[]): void {
  for (const p of properties) {
    if (p.kind !== 'property') continue;
    const def = table[p.name];
    if (!def) continue;
    const path = [...prefix, p.name];
    // A stored-only block is named once, not once more for each property inside it.
    if (def.effect.kind === 'stored-only') {
      out.push(path.join(' '));
      continue;
    }
    const v = p.value;
    if (def.type.kind === 'collection' && v.kind === 'collection') {
      for (const e of v.entries) setPaths(def.type.entry, e.properties, path, out);
    } else if (def.type.kind === 'object' && v.kind === 'object') setPaths(def.type.properties, v.properties, path, out);
  }
}

/** The stored-only properties a statement sets, each named once (`rules`, `members address`). */
export function storedOnlyPaths(typeKey: string, properties: readonly Property[]): string[] {
  const paths: string[] = [];
  setPaths(typeOf(typeKey).properties, properties, [], paths);
  return [...new Set(paths)];
}

/** One warning per stored-only property the statement sets (each named once). */
export function storedOnlyWarnings(typeKey: string, path: string, properties: readonly Property[], position?: SourcePosition): ConfigError[] {
  const def = typeOf(typeKey);
  return storedOnlyPaths(typeKey, properties).map((p) => errors.storedOnly(def.kindName, path, p, position));
}

/** A stored-only setting in effect: its property path and the value, as `list` would write it. */
export interface StoredOnlySetting {
  property: string;
  value: string;
}

function text(v: StoredValue): string {
  if (Array.isArray(v)) return `{ ${v.join(' ')} }`;
  return typeof v === 'string' ? v : '{ ... }';
}

function walk(table: PropertyTable, props: StoredProps, prefix: string[], out: StoredOnlySetting[]): void {
  for (const [name, def] of Object.entries(table)) {
    const v = props[name];
    if (v === undefined) continue;
    const label = [...prefix, name];
    if (def.type.kind === 'collection' && isProps(v)) {
      for (const [entry, value] of Object.entries(v)) if (isProps(value)) walk(def.type.entry, value, [...label, entry], out);
    } else if (def.type.kind === 'object' && isProps(v)) walk(def.type.properties, v, label, out);
    if (def.effect.kind !== 'stored-only' || def.type.kind === 'collection' || def.type.kind === 'object') continue;
    if (Array.isArray(v) && v.length === 0 && def.default === undefined) continue;
    const dflt = defaultValue(def);
    if (dflt !== undefined && sameValue(v, dflt)) continue;
    out.push({ property: label.join(' '), value: text(v) });
  }
}

/** The stored-only properties of an object whose effective value differs from the default. */
export function storedOnlyInEffect(typeKey: string, effective: StoredProps): StoredOnlySetting[] {
  const out: StoredOnlySetting[] = [];
  walk(typeOf(typeKey).properties, effective, [], out);
  return out;
}

/**
 * Monitors openltm accepts but never runs (icmp, gateway-icmp) count as passing in a pool's
 * rule: a statement that sets a rule naming one is told so, once per monitor.
 */
export function storedOnlyMonitorWarnings(repo: ObjectRepository, rec: ObjectRecord, properties: readonly Property[], position?: SourcePosition): ConfigError[] {
  if (!properties.some((p) => p.name === 'monitor' || p.name === 'members')) return [];
  const rules = [rec.props.monitor, ...Object.values(isProps(rec.props.members) ? rec.props.members : {}).map((m) => (isProps(m) ? m.monitor : undefined))];
  const named = new Set(rules.flatMap((r) => (typeof r === 'string' ? parseMonitorRule(r).monitors : [])));
  const out: ConfigError[] = [];
  for (const path of named) {
    const type = STORED_ONLY_MONITOR_TYPES.find((t) => repo.get(t, path));
    if (!type) continue;
    out.push(
      errors.storedOnlyMonitor(typeOf(rec.type).kindName, rec.path, path, position),
    );
  }
  return out;
}
