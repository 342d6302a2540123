/**
 * `list` / saved-file blocks: header `ltm pool p1 {`, 4-space indentation, attributes sorted,
 * entries without attributes as `name { }`, `one-line` on request. Secrets are never printed.
 */
import type { ObjectTypeDef, PropertyTable, ValueType } from '@openltm/model';
import { formatMonitorRule, parseMonitorRule } from '../monitor-rule';
import { isProps, type StoredProps, type StoredValue } from '../stored-value';
import { formatHostPort, formatName, quote, type NameStyle } from './values';
import { preservedItems } from '../preserved';
import { subtreeName } from '../names';

/** One printed attribute: a value, or a nested block (an empty block prints `name { }`). */
export type Item = { key: string; value?: string; children?: Item[] };

function scalarText(type: ValueType, v: string, style: NameStyle): string {
  switch (type.kind) {
    case 'reference':
      return v === 'none' ? v : formatName(v, style);
    case 'destination':
      return formatHostPort(v, style);
    case 'monitor-rule':
      return formatMonitorRule(parseMonitorRule(v), (m) => formatName(m, style));
    case 'string':
    case 'source-path':
      return quote(v);
    default:
      return v;
  }
}

function entryName(type: Extract<ValueType, { kind: 'collection' }>, key: string, style: NameStyle): string {
  if (type.key.kind === 'member') return formatHostPort(key, style);
  if (type.key.kind === 'reference') return formatName(key, style);
  return quote(key);
}

/** Items for `props` under `table`, sorted by attribute name. */
export function itemsOf(table: PropertyTable, props: StoredProps, style: NameStyle): Item[] {
  const items: Item[] = [];
  for (const name of Object.keys(props).sort()) {
    const def = table[name];
    const v = props[name];
    if (!def || def.secret || v === undefined) continue;
    items.push(itemOf(name, def.type, v, style));
  }
  // Properties openltm does not model, kept as they came, in BIG-IP's alphabetical place.
  const kept = preservedItems(props);
  if (kept.length) return [...items, ...kept].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return items;
}

function itemOf(name: string, type: ValueType, v: StoredValue, style: NameStyle): Item {
  if (type.kind === 'flag') return { key: String(v) };
  if (type.kind === 'list') {
    const list = Array.isArray(v) ? v : [];
    if (!list.length) return { key: name, value: 'none' };
    // BIG-IP writes a list of names (snatpool members, vlans, rules) one per line, and a set of
    // option words (`options { no-tlsv1 no-tlsv1.1 }`) on one line.
    if (type.lines || type.item.kind !== 'enum') return { key: name, children: list.map((i) => ({ key: scalarText(type.item, i, style) })) };
    return { key: name, value: `{ ${list.map((i) => scalarText(type.item, i, style)).join(' ')} }` };
  }
  if (type.kind === 'collection') {
    const entries = isProps(v) ? Object.entries(v) : [];
    if (!entries.length) return { key: name, value: 'none' };
    const children = entries
      .map(([k, e]) => ({ key: entryName(type, k, style), children: itemsOf(type.entry, isProps(e) ? e : {}, style) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { key: name, children };
  }
  if (type.kind === 'object') return { key: name, children: itemsOf(type.properties, isProps(v) ? v : {}, style) };
  return { key: name, value: scalarText(type, String(v), style) };
}

function render(items: Item[], indent: string, out: string[]): void {
  for (const it of items) {
    if (it.children) {
      if (it.children.length === 0) out.push(`${indent}${it.key} { }`);
      else {
        out.push(`${indent}${it.key} {`);
        render(it.children, indent + '    ', out);
        out.push(`${indent}}`);
      }
    } else out.push(it.value === undefined ? `${indent}${it.key}` : `${indent}${it.key} ${it.value}`);
  }
}

function renderOneLine(items: Item[]): string {
  return items
    .map((it) => (it.children ? (it.children.length ? `${it.key} { ${renderOneLine(it.children)} }` : `${it.key} { }`) : it.value === undefined ? it.key : `${it.key} ${it.value}`))
    .join(' ');
}

/** The whole block for one object; a verbatim body (an iRule's Tcl) exactly as it came. */
export function formatBlock(def: ObjectTypeDef, path: string, items: Item[], style: NameStyle & { oneLine?: boolean; recursive?: boolean }, props?: StoredProps): string {
  const verbatim = def.verbatimBody && props ? props[def.verbatimBody] : undefined;
  const name = style.recursive && style.mode === 'list' ? subtreeName(path, style.folder) : formatName(path, style);
  if (typeof verbatim === 'string') return `${def.key} ${name} {${verbatim}}`;
  return formatItems(`${def.key} ${name}`, items, style);
}

/** `header { items }` in BIG-IP's layout (or on one line). */
export function formatItems(header: string, items: Item[], style: { oneLine?: boolean }): string {
  if (items.length === 0) return `${header} { }`;
  if (style.oneLine) return `${header} { ${renderOneLine(items)} }`;
  const out = [`${header} {`];
  render(items, '    ', out);
  out.push('}');
  return out.join('\n');
}
