/**
 * An object's effective values as iControl REST shows them: camelCased names, integers as
 * numbers, flags as booleans (`enabled: true`), nested blocks as objects, inline collections as
 * arrays of `{ name, ... }`, and subcollections (pool members, virtual profiles) as a
 * `membersReference` link, expanded when asked. Secrets are never shown.
 */
import type { PropertyDef, PropertyTable } from '@openltm/model';
import type { EffectiveObject, StoredProps, StoredValue } from '@openltm/store';
import { API_VERSION, SUBCOLLECTIONS, camelCase, kindOf, restName, subKind, typeAt, urlName } from './rest-types';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function selfLink(path: string): string {
  return `https://localhost${path}?ver=${API_VERSION}`;
}

function isProps(v: StoredValue | undefined): v is StoredProps {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(def: PropertyDef, v: string): Json {
  if (def.type.kind === 'integer' && /^\d+$/.test(v)) return Number(v);
  return v;
}

/** One property table's values as REST pairs (`rename` maps the tmsh name to the REST name). */
function tableJson(table: PropertyTable, props: StoredProps, rename: (n: string) => string, out: { [k: string]: Json } = {}): { [k: string]: Json } {
  for (const [name, v] of Object.entries(props)) {
    const def = table[name];
    if (!def || def.secret) continue;
    const t = def.type;
    if (t.kind === 'flag') out[camelCase(String(v))] = true;
    else if (t.kind === 'list') out[rename(name)] = Array.isArray(v) ? v : [String(v)];
    else if (t.kind === 'collection' && isProps(v)) {
      out[rename(name)] = Object.entries(v).map(([key, e]) => ({ name: key, ...tableJson(t.entry, isProps(e) ? e : {}, camelCase) }));
    } else if (t.kind === 'object' && isProps(v)) out[rename(name)] = tableJson(t.properties, v, camelCase);
    else if (typeof v === 'string') out[rename(name)] = scalar(def, v);
  }
  return out;
}

function nameParts(fullPath: string): { name: string; partition: string } {
  const parts = fullPath.split('/');
  return parts.length >= 3 ? { partition: parts[1], name: parts.slice(2).join('/') } : { partition: 'Common', name: fullPath };
}

/** One entry of a subcollection (`/members/~Common~10.0.0.1:25`). */
export function entryJson(obj: EffectiveObject, sub: string, key: string, extra: Record<string, Json> = {}): { [k: string]: Json } {
  const def = typeAt(obj.type.split(' '))!;
  const t = def.properties[sub].type;
  const entry = (obj.properties[sub] as StoredProps | undefined)?.[key];
  const base = `/mgmt/tm/${obj.type.split(' ').join('/')}/${urlName(obj.name)}/${sub}`;
  return {
    kind: subKind(obj.type, sub),
    ...nameParts(key),
    fullPath: key,
    generation: extra.generation ?? 0,
    selfLink: selfLink(`${base}/${urlName(key)}`),
    ...(t.kind === 'collection' && isProps(entry) ? tableJson(t.entry, entry, camelCase) : {}),
    ...extra,
  };
}

export function subcollectionJson(obj: EffectiveObject, sub: string, generation: number, extra: (key: string) => Record<string, Json> = () => ({})): { [k: string]: Json } {
  const base = `/mgmt/tm/${obj.type.split(' ').join('/')}/${urlName(obj.name)}/${sub}`;
  const coll = obj.properties[sub];
  const keys = isProps(coll) ? Object.keys(coll) : [];
  return {
    kind: subKind(obj.type, sub, 'collectionstate'),
    selfLink: selfLink(base),
    items: keys.map((k) => entryJson(obj, sub, k, { generation, ...extra(k) })),
  };
}

export interface ObjectJsonOptions {
  generation: number;
  expandSubcollections?: boolean;
  /** Extra fields of a subcollection entry (a member's live `state`). */
  entryExtra?: (key: string) => Record<string, Json>;
}

export function objectJson(obj: EffectiveObject, opts: ObjectJsonOptions): { [k: string]: Json } {
  const def = typeAt(obj.type.split(' '))!;
  const base = `/mgmt/tm/${obj.type.split(' ').join('/')}/${urlName(obj.name)}`;
  const sub = SUBCOLLECTIONS[obj.type];
  const props = { ...obj.properties };
  if (sub) delete props[sub];
  const out: { [k: string]: Json } = {
    kind: kindOf(obj.type),
    ...nameParts(obj.name),
    fullPath: obj.name,
    generation: opts.generation,
    selfLink: selfLink(base),
  };
  tableJson(def.properties, props, (n) => restName(obj.type, n), out);
  if (sub) {
    const ref: { [k: string]: Json } = { link: selfLink(`${base}/${sub}`), isSubcollection: true };
    if (opts.expandSubcollections) ref.items = (subcollectionJson(obj, sub, opts.generation, opts.entryExtra).items as Json[]);
    out[`${sub}Reference`] = ref;
  }
  return out;
}

/** `$select=name,partition`: only those fields (kind and selfLink stay, as on BIG-IP they do not). */
export function select(obj: { [k: string]: Json }, fields: string[] | undefined): { [k: string]: Json } {
  if (!fields?.length) return obj;
  return Object.fromEntries(Object.entries(obj).filter(([k]) => fields.includes(k)));
}
