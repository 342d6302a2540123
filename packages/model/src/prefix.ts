/**
 * Address prefixes as numbers: what a virtual's destination/mask and source match. One BigInt
 * per address keeps IPv4 and IPv6 on one code path; an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.7`, what a dual-stack socket reports) is the IPv4 address.
 */
import { isIP } from 'node:net';

export interface IpValue {
  family: 4 | 6;
  value: bigint;
}

/** An address and how many leading bits of it count. */
export interface Prefix {
  address: string;
  family: 4 | 6;
  prefix: number;
}

export const fullBits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

/** The numeric value of an address (zone and route domain dropped); undefined if it is not one. */
export function ipValue(text: string | undefined): IpValue | undefined {
  if (!text) return undefined;
  const a = text.replace(/[%].*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  const v4 = mapped ? mapped[1] : a;
  if (isIP(v4) === 4) return { family: 4, value: v4.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n) };
  if (isIP(a) !== 6) return undefined;
  let t = a;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (tail) {
    const o = tail[1].split('.').map(Number);
    t = `${t.slice(0, -tail[1].length)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, rest] = t.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined ? (rest ? rest.split(':') : []) : [];
  const groups = [...h, ...new Array(rest !== undefined ? 8 - h.length - r.length : 0).fill('0'), ...r];
  return { family: 6, value: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** The bits a prefix of `bits` keeps, as a mask. */
export function prefixMask(bits: number, family: 4 | 6): bigint {
  const width = BigInt(fullBits(family));
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(bits))) - 1n);
}

/** Whether `addr` falls in `net`/`bits` (same family only). */
export function inPrefix(addr: IpValue, net: IpValue, bits: number): boolean {
  return addr.family === net.family && (addr.value & prefixMask(bits, net.family)) === net.value;
}

/** Whether the address has bits set beyond its prefix (`10.0.0.5` under /24). */
export function hostBitsSet(addr: IpValue, bits: number): boolean {
  return (addr.value & ~prefixMask(bits, addr.family)) !== 0n;
}

/**
 * A netmask as a prefix length: `any` (and `any6`) is 0, a dotted IPv4 mask or an IPv6 mask
 * with contiguous ones counts them; undefined for anything else or a mask of the other family.
 */
export function netmaskPrefix(mask: string, family: 4 | 6): number | undefined {
  if (mask === 'any' || mask === 'any6') return 0;
  const v = ipValue(mask);
  if (!v || v.family !== family || isIP(mask) !== family) return undefined;
  const width = fullBits(family);
  for (let bits = 0; bits <= width; bits++) if (prefixMask(bits, family) === v.value) return bits;
  return undefined;
}

/** A prefix length as the netmask tmsh lists: `255.255.255.0`, `any`, `ffff:ffff:ffff:ffff::`. */
export function prefixNetmask(bits: number, family: 4 | 6): string {
  if (bits === 0) return family === 4 ? 'any' : 'any6';
  return formatIp({ family, value: prefixMask(bits, family) });
}

/** An address value as text: dotted IPv4, compressed lower-case IPv6. */
export function formatIp(v: IpValue): string {
  if (v.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v.value >> s) & 255n)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((v.value >> s) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a host: /32 or /128); undefined if invalid. */
export function parsePrefix(text: string): Prefix | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text);
  if (!m || m[1].includes('%')) return undefined;
  const family = isIP(m[1]);
  if (family !== 4 && family !== 6) return undefined;
  const bits = m[2] === undefined ? fullBits(family) : Number(m[2]);
  if (bits > fullBits(family)) return undefined;
  return { address: m[1], family, prefix: bits };
}
