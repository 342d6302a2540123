/**
 * Applies the properties of a create/modify/load statement to an object's own values, with the
 * list operations of tmsh: no operator (replace), `add`, `delete` (`delete { all }`), `modify`,
 * `replace-all-with`, and `none` to clear.
 */
import {
  ConfigError, ErrorCodes, OBJECT_TYPES, errors, parseMemberName,
  type CollectionKey, type PropertyDef, type PropertyTable, type SourcePosition,
} from '@openltm/model';
import type { CollectionValue, ListValue, Property, PropertyValue } from '@openltm/parser';
import { fullPath } from './names';
import { formatMonitorRule } from './monitor-rule';
import { isProps, type StoredProps, type StoredValue } from './stored-value';
import { canonicalAddress, checkScalar, describeType, resolveName, type ValueContext } from './validate/scalar';
import { parseAddress } from '@openltm/model';
import { addPreservedLine, rawPropertyLine } from './preserved';

/** Every monitor type, for resolving a relative monitor name. */
const MONITOR_TYPE_KEYS: readonly string[] = OBJECT_TYPES.filter((d) => d.key.startsWith('ltm monitor ')).map((d) => d.key);

export type ApplyMode = 'create' | 'modify' | 'load';

export interface ApplyContext extends ValueContext {
  mode: ApplyMode;
  /** `Pool (/Common/p1)`, for messages about entries. */
  owner: { kind: string; path: string };
  /** The value a property has now when the object does not set it (inherited or default), for list operations. */
  current?: (property: string) => StoredValue | undefined;
}

/** `10.0.0.11:smtp` -> `/Common/10.0.0.11:25`; `node1:25` -> `/Common/node1:25`; IPv6 uses `.port`. */
export function canonicalMember(text: string, ctx: ValueContext): string {
  const m = parseMemberName(text);
  if (!m) throw errors.invalidValue('members', text, 'NODE:PORT (10.0.0.11:25, 2001:db8::11.25) with a port from 0 to 65535', ctx.position);
  let node = m.node;
  let prefix = '';
  const pm = /^(\/[^/]+\/)(.+)$/.exec(node);
  if (pm) {
    prefix = pm[1];
    node = pm[2];
  }
  const addr = canonicalAddress(node);
  const isV6 = addr !== undefined && parseAddress(addr)?.family === 6;
  const nodePath = prefix ? prefix + (addr ?? node) : fullPath(addr ?? node, ctx.folder);
  return `${nodePath}${isV6 ? '.' : ':'}${m.port}`;
}

function entryKey(key: CollectionKey, name: string, ctx: ValueContext): string {
  if (key.kind === 'member') return canonicalMember(name, ctx);
  if (key.kind === 'reference') {
    if (!/^[/A-Za-z0-9_.:%-]+$/.test(name)) throw errors.invalidValue('name', name, 'an object name', ctx.position);
    return resolveName(name, key.to, ctx);
  }
  return name;
}

/** BIG-IP lists status words (`session monitor-enabled`, `state up`); as input they mean the user setting. */
function normalizeStatusWords(table: PropertyTable, props: StoredProps): void {
  if (!table.session || !table.state) return;
  if (props.session === 'monitor-enabled') props.session = 'user-enabled';
  if (typeof props.state === 'string' && ['up', 'down', 'unchecked', 'checking'].includes(props.state)) props.state = 'user-up';
}

function entryKind(property: string): string {
  return property === 'members' ? 'Pool Member' : property === 'profiles' ? 'profile' : `${property} entry`;
}

function applyCollection(name: string, def: PropertyDef, value: CollectionValue, base: StoredProps | undefined, ctx: ApplyContext): StoredProps {
  if (def.type.kind !== 'collection') throw errors.invalidValue(name, '{ ... }', describeType(def.type), value.pos);
  const type = def.type;
  const op = value.op ?? 'replace-all-with';
  const pos = (p: SourcePosition) => ({ ...ctx, position: p });
  if (op === 'replace-all-with') {
    const out: StoredProps = {};
    for (const e of value.entries) {
      const key = entryKey(type.key, e.name, pos(e.pos));
      out[key] = applyTable(type.entry, {}, e.properties, { ...ctx, mode: ctx.mode === 'modify' ? 'create' : ctx.mode, current: undefined });
    }
    return out;
  }
  const out: StoredProps = { ...(base ?? {}) };
  const label = (key: string) => `${ctx.owner.path} ${key}`;
  for (const e of value.entries) {
    if (op === 'delete' && e.name === 'all') {
      for (const k of Object.keys(out)) delete out[k];
      continue;
    }
    const key = entryKey(type.key, e.name, pos(e.pos));
    if (op === 'add') {
      if (out[key] !== undefined) throw errors.alreadyExists(entryKind(name), label(key), 'Common', e.pos);
      out[key] = applyTable(type.entry, {}, e.properties, { ...ctx, mode: 'create', current: undefined });
    } else {
      if (out[key] === undefined) throw errors.notFound(entryKind(name), label(key), e.pos);
      if (op === 'delete') delete out[key];
      else out[key] = applyTable(type.entry, { ...(out[key] as StoredProps) }, e.properties, { ...ctx, mode: 'modify', current: undefined });
    }
  }
  return out;
}

function applyList(name: string, def: PropertyDef, value: ListValue, base: string[] | undefined, ctx: ApplyContext): string[] {
  if (def.type.kind !== 'list') throw errors.invalidValue(name, '{ ... }', describeType(def.type), value.pos);
  const item = def.type.item;
  const items = value.items.map((i) => checkScalar(name, item, i.text, { ...ctx, position: i.pos }));
  const op = value.op ?? 'replace-all-with';
  if (op === 'replace-all-with') return items.filter((i) => i !== 'none');
  const out = [...(base ?? [])];
  for (const i of items) {
    const at = out.indexOf(i);
    if (op === 'add') {
      if (at >= 0) throw errors.alreadyExists('value', `${name} ${i}`, 'Common', value.pos);
      out.push(i);
    } else if (op === 'delete') {
      if (i === 'all') return [];
      if (at < 0) throw errors.notFound('value', `${name} ${i}`, value.pos);
      out.splice(at, 1);
    }
  }
  return out;
}

function convert(name: string, def: PropertyDef, value: PropertyValue, own: StoredValue | undefined, ctx: ApplyContext): StoredValue | undefined {
  const c = { ...ctx, position: value.pos };
  const type = def.type;
  const base = own ?? ctx.current?.(name);
  switch (value.kind) {
    case 'scalar':
      if (type.kind === 'collection' || type.kind === 'object') {
        if (value.text === 'none') return {};
        throw errors.invalidValue(name, value.text, describeType(type), value.pos);
      }
      if (type.kind === 'list') {
        if (value.text === 'none') return [];
        return [checkScalar(name, type.item, value.text, c)];
      }
      if (type.kind === 'monitor-rule') {
        if (value.text === 'none' || value.text === 'default') return value.text;
        return resolveName(value.text, MONITOR_TYPE_KEYS, ctx);
      }
      // `description none` clears a free-text property that has no default.
      if (type.kind === 'string' && value.text === 'none' && !value.quoted && def.default === undefined) return undefined;
      return checkScalar(name, type, value.text, c);
    case 'flag':
      if (type.kind !== 'flag') throw errors.invalidValue(name, value.word, describeType(type), value.pos);
      return checkScalar(name, type, value.word, c);
    case 'monitor-rule':
      if (type.kind !== 'monitor-rule') throw errors.invalidValue(name, 'monitor rule', describeType(type), value.pos);
      return formatMonitorRule({
        monitors: value.monitors.filter((m) => m.text !== 'none').map((m) => resolveName(m.text, MONITOR_TYPE_KEYS, ctx)),
        minimum: value.minimum,
      });
    case 'list':
      return applyList(name, def, value, Array.isArray(base) ? base : undefined, ctx);
    case 'collection':
      return applyCollection(name, def, value, isProps(base) ? base : undefined, ctx);
    case 'object': {
      if (type.kind !== 'object') throw errors.invalidValue(name, '{ ... }', describeType(type), value.pos);
      return applyTable(type.properties, { ...(isProps(own) ? own : {}) }, value.properties, { ...ctx, current: undefined });
    }
  }
}

/** Applies `properties` to `props` (a copy the caller owns) for the property `table`. */
export function applyTable(table: PropertyTable, props: StoredProps, properties: readonly Property[], ctx: ApplyContext): StoredProps {
  for (const p of properties) {
    if (p.kind === 'raw-property') {
      // A loaded file keeps what openltm does not model (stored only, said by the load summary).
      if (ctx.mode !== 'load') throw errors.syntax(`"${p.name}" unknown property`, p.pos);
      addPreservedLine(props, rawPropertyLine(p));
      continue;
    }
    const def = table[p.name];
    if (!def) throw errors.syntax(`"${p.name}" unknown property`, p.pos);
    if (def.readOnly && ctx.mode !== 'load') {
      throw new ConfigError(ErrorCodes.CONFIG_ERROR, `Configuration error: "${p.name}" is read-only and set by the system.`, { position: p.pos });
    }
    const before = props[p.name];
    const v = convert(p.name, def, p.value, before, ctx);
    if (def.immutable && ctx.mode === 'modify' && JSON.stringify(v) !== JSON.stringify(before)) {
      throw new ConfigError(ErrorCodes.CONFIG_ERROR, `Configuration error: "${p.name}" of ${ctx.owner.kind} (${ctx.owner.path}) cannot be modified.`, { position: p.pos });
    }
    // An emptied collection or list without a default is the same as never set.
    const empty = (Array.isArray(v) && v.length === 0) || (isProps(v) && Object.keys(v).length === 0 && def.type.kind === 'collection');
    if (v === undefined || (empty && def.default === undefined)) delete props[p.name];
    else props[p.name] = v;
  }
  normalizeStatusWords(table, props);
  return props;
}

