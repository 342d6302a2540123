/**
 * A virtual's destination, mask and source as one match rule, as BIG-IP stores it: the
 * destination holds the network address and port (`/Common/10.0.0.0:25`), `mask` its netmask
 * (`255.255.255.0`, `any`), `source` the client prefix (`10.0.0.0/8`). The forms tmsh users
 * type (`10.0.0.0/24:25`, `any:25`, `any6.25`, a bare source address) are written back in that
 * form, so `list`, the duplicate check and the data plane read one shape.
 */
import {
  ConfigError, ErrorCodes, formatIp, fullBits, hostBitsSet, ipValue, netmaskPrefix, parseDestination, parsePrefix, prefixNetmask,
  type ParsedDestination,
} from '@openltm/model';
import type { ObjectRecord } from '../object-repository';
import type { StoredProps } from '../stored-value';
import type { RuleContext } from './rules';
import { formatDestinationForShow } from '../format/values';

/** What a virtual matches: its destination network and port, and its source prefix (0 = any client). */
export interface VirtualMatch {
  destination: ParsedDestination;
  prefix: number;
  source: { address: string; prefix: number };
}

const ANY_SOURCE = { address: '0.0.0.0', prefix: 0 };

/** The match rule of stored (already normalised) props; undefined when the destination does not parse. */
export function virtualMatch(props: StoredProps): VirtualMatch | undefined {
  const destination = parseDestination(String(props.destination ?? ''));
  if (!destination) return undefined;
  const mask = props.mask === undefined ? undefined : String(props.mask);
  const prefix = destination.prefix ?? (mask === undefined ? fullBits(destination.family) : netmaskPrefix(mask, destination.family) ?? fullBits(destination.family));
  const src = parsePrefix(String(props.source ?? '0.0.0.0/0'));
  return { destination, prefix, source: src && src.prefix > 0 ? { address: src.address, prefix: src.prefix } : ANY_SOURCE };
}

/** Two match rules that no connection could tell apart (BIG-IP's 01070333 compares these). */
export function sameMatch(a: VirtualMatch, b: VirtualMatch): boolean {
  const net = (d: ParsedDestination) => ipValue(d.address)?.value;
  const src = (s: VirtualMatch['source']) => (s.prefix === 0 ? 'any' : `${String(ipValue(s.address)?.value)}/${s.prefix}`);
  return a.destination.port === b.destination.port && a.destination.family === b.destination.family && net(a.destination) === net(b.destination) &&
    (a.destination.routeDomain ?? 0) === (b.destination.routeDomain ?? 0) && a.prefix === b.prefix && src(a.source) === src(b.source);
}

function addressMask(rec: ObjectRecord, ctx: RuleContext, detail: string): ConfigError {
  return new ConfigError(ErrorCodes.ADDRESS_MASK, `${detail} for virtual server (${rec.path})`, { position: ctx.position });
}

/**
 * Moves a prefix written into the destination into `mask`, makes a wildcard address's mask
 * `any`, writes a bare source address as a /32 (/128), and refuses what BIG-IP refuses: a mask
 * or source of the other address family, a mask that is not contiguous, host bits set under
 * the mask or the source prefix (which would make the virtual match nothing it names).
 */
export function virtualDestination(rec: ObjectRecord, ctx: RuleContext): void {
  const own = rec.props;
  if (typeof own.destination !== 'string') return;
  const d = parseDestination(own.destination);
  if (!d) return; // virtualSupported names it
  const shown = formatDestinationForShow(own.destination.replace(/\/\d+(?=[:.][^:.]*$)/, ''));
  const ownMask = typeof own.mask === 'string' ? own.mask : undefined;
  let prefix: number;
  if (ownMask !== undefined) {
    const fromMask = netmaskPrefix(ownMask, d.family);
    if (fromMask === undefined) {
      const otherFamily = netmaskPrefix(ownMask, d.family === 4 ? 6 : 4) !== undefined;
      throw addressMask(rec, ctx, otherFamily
        ? `The destination (${shown}) address and mask (${ownMask}) must be be the same type (IPv4 or IPv6)`
        : `The mask (${ownMask}) of destination (${shown}) is not a contiguous netmask`);
    }
    if (d.prefix !== undefined && d.prefix !== fromMask) {
      throw addressMask(rec, ctx, `The destination (${shown}) prefix /${d.prefix} and mask (${ownMask}) disagree`);
    }
    prefix = fromMask;
  } else {
    // 0.0.0.0 and :: without a mask are the wildcard (`any:25`), as BIG-IP writes them.
    const zero = ipValue(d.address)?.value === 0n;
    prefix = d.prefix ?? (zero ? 0 : fullBits(d.family));
  }
  const addr = ipValue(d.address)!;
  // ::ffff:10.0.0.1 is how a dual-stack socket shows an IPv4 client: as a destination it would
  // be an IPv6 virtual that no IPv6 connection reaches.
  const mapped = addr.family !== d.family || (addr.family === 6 && addr.value >> 32n === 0xffffn);
  if (mapped) {
    const v4 = formatIp({ family: 4, value: addr.value & 0xffffffffn });
    throw addressMask(rec, ctx, `The destination (${shown}) is an IPv4-mapped IPv6 address: write the IPv4 address (${v4})`);
  }
  if (hostBitsSet(addr, prefix)) {
    const network = formatIp({ family: addr.family, value: addr.value & ~((1n << BigInt(fullBits(addr.family) - prefix)) - 1n) });
    throw addressMask(rec, ctx, `The destination (${shown}) address has host bits set under its mask (${prefixNetmask(prefix, d.family)}): a network virtual is written with its network address (${network})`);
  }
  const next: StoredProps = { ...own };
  next.destination = own.destination.replace(/\/\d+(?=[:.][^:.]*$)/, '');
  const defaultHost = d.family === 4 && prefix === 32;
  if (!(defaultHost && (ownMask === undefined || ownMask === '255.255.255.255'))) {
    const canonical = prefixNetmask(prefix, d.family);
    if (ownMask === undefined || netmaskPrefix(ownMask, d.family) !== prefix || ownMask !== canonical) next.mask = canonical;
  }
  // A route domain in the source is refused by virtualSupported, naming it.
  if (typeof own.source === 'string' && !own.source.includes('%')) {
    const src = parsePrefix(own.source);
    if (!src) throw addressMask(rec, ctx, `The source (${own.source}) is not an address/prefix (route domains are not supported)`);
    if (src.prefix > 0 && src.family !== d.family) {
      throw addressMask(rec, ctx, `The destination (${shown}) and source (${own.source}) must be be the same type (IPv4 or IPv6)`);
    }
    const value = ipValue(src.address)!;
    if (hostBitsSet(value, src.prefix)) throw addressMask(rec, ctx, `The source (${own.source}) has host bits set under its prefix /${src.prefix}`);
    next.source = `${formatIp(value)}/${src.prefix}`;
  }
  if (next.destination !== own.destination || next.mask !== own.mask || next.source !== own.source) ctx.write(rec, next);
}
