/**
 * Where each schema type lives under /mgmt/tm/ and how iControl REST names it: the URL path is
 * the tmsh path (`ltm profile client-ssl` -> /mgmt/tm/ltm/profile/client-ssl), the kind
 * `tm:ltm:profile:client-ssl:client-sslstate`, property names camelCased.
 */
import { OBJECT_TYPES, type ObjectTypeDef, type PropertyDef } from '@openltm/model';
import { RestError } from './rest-error';

/** The version the API reports (selfLink `?ver=`, /mgmt/tm/sys/version): the tmsh version openltm writes. */
export const API_VERSION = '14.1.2';

/** Collections served as subcollections (`/members`, `/profiles`), not inline arrays. */
export const SUBCOLLECTIONS: Readonly<Record<string, string>> = { 'ltm pool': 'members', 'ltm virtual': 'profiles' };

/** Where iControl REST's name differs from camelCase of the tmsh name. */
const REST_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'ltm profile client-ssl': { options: 'tmOptions' },
  'ltm profile server-ssl': { options: 'tmOptions' },
};

/** Values iControl REST clients send in another form than tmsh (f5_modules sends `ipProtocol: 6`). */
const REST_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'ip-protocol': { '6': 'tcp', '17': 'udp', '132': 'sctp' },
};

export function restValue(tmshName: string, value: unknown): unknown {
  return REST_VALUES[tmshName]?.[String(value)] ?? value;
}

export function camelCase(tmshName: string): string {
  return tmshName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function kebabCase(restName: string): string {
  return restName.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The REST name of a property of a type. */
export function restName(typeKey: string, tmshName: string): string {
  return REST_NAMES[typeKey]?.[tmshName] ?? camelCase(tmshName);
}

/** The tmsh name of a REST property name (unknown names map to their kebab form, for tmsh's own error). */
export function tmshName(typeKey: string, rest: string): string {
  const renamed = Object.entries(REST_NAMES[typeKey] ?? {}).find(([, r]) => r === rest);
  return renamed ? renamed[0] : kebabCase(rest);
}

/** The type served at these path words (`['ltm', 'monitor', 'smtp']`), or undefined. */
export function typeAt(words: readonly string[]): ObjectTypeDef | undefined {
  const key = words.join(' ');
  return OBJECT_TYPES.find((d) => d.key === key);
}

/** Object kind: `tm:ltm:pool:poolstate`; collection kind: `tm:ltm:pool:poolcollectionstate`. */
export function kindOf(typeKey: string, what: 'state' | 'collectionstate' | 'stats' = 'state'): string {
  const words = typeKey.split(' ');
  return `tm:${words.join(':')}:${words[words.length - 1]}${what}`;
}

export function subKind(typeKey: string, sub: string, what: 'state' | 'collectionstate' = 'state'): string {
  return `tm:${typeKey.split(' ').join(':')}:${sub}:${sub}${what}`;
}

/** `/Common/p1` -> `~Common~p1` (as iControl REST writes names in URLs). */
export function urlName(fullPath: string): string {
  return fullPath.replace(/\//g, '~');
}

/**
 * `~Common~p1`, `p1`, `/Common/p1` -> `/Common/p1`. Anything but a plain object name is refused:
 * the name goes into a tmsh statement.
 */
export function pathFromUrl(segment: string): string {
  const s = segment.replace(/~/g, '/');
  const path = s.startsWith('/') ? s : `/Common/${s}`;
  if (!/^\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.:%-]+$/.test(path)) throw new RestError(400, `Invalid object name in the URI: "${segment}".`);
  return path;
}

/** The flag property a REST boolean names: `disabled: true` -> `enabled disabled`. */
export function flagFor(def: ObjectTypeDef['properties'], restKey: string): { property: string; word: string; other?: string } | undefined {
  const word = kebabCase(restKey);
  for (const [name, p] of Object.entries(def)) {
    if (p.type.kind !== 'flag') continue;
    const values = p.type.values;
    if (values.includes(word)) return { property: name, word, other: values.find((v) => v !== word) };
  }
  return undefined;
}

export type PropertyTableOf = Readonly<Record<string, PropertyDef>>;
