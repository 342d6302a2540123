/**
 * Validation of one scalar value against its ValueType, returning the canonical stored form.
 * Errors name the property and what it accepts.
 */
import {
  errors, isCidr, isNetmask, parseAddress, parseDestination, type SourcePosition, type ValueType,
} from '@openltm/model';
import { fullPath } from '../names';

export interface ValueContext {
  folder: string;
  position?: SourcePosition;
  /** Whether a partition exists (only `Common` when not given). */
  partitionExists?: (name: string) => boolean;
  /** Whether an object of one of `types` is at `path`: a relative name not found in the folder then means `/Common/name`, as on BIG-IP. */
  exists?: (types: readonly string[], path: string) => boolean;
}

/** A name typed in `ctx.folder`: found there, else in /Common when it is there, else in the folder. */
export function resolveName(text: string, types: readonly string[], ctx: ValueContext): string {
  const path = fullPath(text, ctx.folder);
  if (text.startsWith('/') || !ctx.exists || path.startsWith('/Common/') || ctx.exists(types, path)) return path;
  const common = fullPath(text, '/Common');
  return ctx.exists(types, common) ? common : path;
}

/** Lower-cases and compresses an IPv6 address so `2001:DB8:0::1` and `2001:db8::1` are one. */
export function canonicalIp(address: string, family: 4 | 6): string {
  if (family === 4) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** `10.0.0.1`, `10.0.0.1%2`, `2001:db8::1` in canonical form, or undefined. */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text);
  if (!a) return undefined;
  const ip = canonicalIp(a.address, a.family);
  return a.routeDomain !== undefined ? `${ip}%${a.routeDomain}` : ip;
}

const DESTINATION_FORMS = 'ADDRESS:PORT (10.0.0.1:25, 10.0.0.0/24:smtp, any:25, 2001:db8::1.25, any6.25) with a port from 0 to 65535';

/** A destination as stored: `/Common/10.0.0.1:25`, `/Common/2001:db8::1.25`. */
export function canonicalDestination(text: string, ctx: ValueContext, property = 'destination'): string {
  const d = parseDestination(text);
  if (!d) throw errors.invalidValue(property, text, 'ADDRESS:PORT (10.0.0.1:25, 10.0.0.1%2:smtp, 2001:db8::1.25) with a port from 0 to 65535', ctx.position);
  const partition = d.partition ?? (ctx.folder === '/' ? 'Common' : ctx.folder.split('/')[1]);
  if (!(ctx.partitionExists ?? ((p: string) => p === 'Common'))(partition)) throw errors.notFound('folder', `/${partition}`, ctx.position);
  const ip = canonicalIp(d.address, d.family);
  const addr = d.routeDomain !== undefined ? `${ip}%${d.routeDomain}` : ip;
  // A prefix written into the destination stays until the virtual's rules move it into `mask`.
  const prefix = d.prefix !== undefined ? `/${d.prefix}` : '';
  return `/${partition}/${addr}${prefix}${d.family === 6 ? '.' : ':'}${d.port}`;
}

/** What a ValueType accepts, in words, for error messages. */
export function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'string': return 'a string';
    case 'integer': {
      const words = type.words?.length ? ` or ${type.words.join(', ')}` : '';
      return `an integer from ${type.min} to ${type.max}${words}`;
    }
    case 'enum': return `one of: ${type.values.join(', ')}`;
    case 'reference': return `the name of a ${type.to.join(' or ')}${type.nullable ? ' or none' : ''}`;
    case 'address': return `an IPv4 or IPv6 address, optionally with %ROUTE-DOMAIN${type.words?.length ? ` (or ${type.words.join(', ')})` : ''}`;
    case 'destination': return DESTINATION_FORMS;
    case 'netmask': return `a netmask (255.255.255.255, 255.255.255.0, any, ffff:ffff:ffff:ffff::, any6)${type.words?.length ? ` or ${type.words.join(', ')}` : ''}`;
    case 'cidr': return 'an address/prefix (0.0.0.0/0)';
    case 'list': return `{ ${describeType(type.item)} ... }`;
    case 'collection': return '{ NAME { ... } ... }';
    case 'object': return `{ ${Object.keys(type.properties).join(' | ')} }`;
    case 'flag': return type.values.join(' | ');
    case 'monitor-rule': return 'a monitor, A and B, min N of { A B }, or none';
    case 'source-path': return 'file:/PATH';
  }
}

/** Checks `text` for a scalar-valued type and returns its stored form. */
export function checkScalar(property: string, type: ValueType, text: string, ctx: ValueContext): string {
  const bad = () => errors.invalidValue(property, text, describeType(type), ctx.position);
  switch (type.kind) {
    case 'string':
      return text;
    case 'integer': {
      if (type.words?.includes(text)) return text;
      if (!/^\d+$/.test(text)) throw bad();
      const n = Number(text);
      if (n < type.min || n > type.max) throw bad();
      return String(n);
    }
    case 'enum':
    case 'flag':
      if (!type.values.includes(text)) throw bad();
      return text;
    case 'reference':
      if (text === 'none') {
        if (!type.nullable) throw bad();
        return 'none';
      }
      if (!/^[/A-Za-z0-9_.:%-]+$/.test(text)) throw bad();
      return resolveName(text, type.to, ctx);
    case 'address': {
      if (type.words?.includes(text)) return text;
      // A snatpool member is a snat-translation's name: `/Common/192.0.2.5` is that address.
      const a = canonicalAddress(text.replace(/^\/[^/]+\/(?=[0-9a-fA-F:.%]+$)/, ''));
      if (a === undefined) throw bad();
      return a;
    }
    case 'destination':
      return canonicalDestination(text, ctx, property);
    case 'netmask':
      if (type.words?.includes(text)) return text;
      if (text !== 'any' && text !== 'any6' && !isNetmask(text)) throw bad();
      return text;
    case 'cidr':
      // A bare address is a host prefix (the virtual's rules write it as /32 or /128).
      if (!isCidr(text) && !parseAddress(text)) throw bad();
      return text;
    case 'source-path': {
      const m = /^file:(?:\/\/)?(\/.*)$/.exec(text) ?? /^(\/.*)$/.exec(text);
      if (!m) throw bad();
      return `file:${m[1]}`;
    }
    case 'monitor-rule':
    case 'list':
    case 'collection':
    case 'object':
      throw bad();
  }
}
