/**
 * Address prefixes for admission keys: `rate-limit-src-mask 24` puts 192.0.2.7 and 192.0.2.9 in one
 * bucket. IPv4-mapped IPv6 (`::ffff:192.0.2.7`, what a dual-stack listener reports) counts as IPv4,
 * so one client cannot get two budgets by switching address family notation.
 */
import * as net from 'node:net';

/** `addr` truncated to `bits` (0 = the whole address), as a canonical key string. */
export function addressPrefix(addr: string | undefined, bits: number): string {
  if (!addr) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  const a = mapped ? mapped[1] : addr;
  if (net.isIPv4(a)) {
    if (bits <= 0 || bits >= 32) return a;
    const n = a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const masked = Math.floor(n / 2 ** (32 - bits)) * 2 ** (32 - bits);
    return `${[24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join('.')}/${bits}`;
  }
  const groups = expandIpv6(a);
  if (!groups) return a;
  if (bits <= 0 || bits >= 128) return groups.map((g) => g.toString(16)).join(':');
  const out = groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 16 ? g : keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${out.map((g) => g.toString(16)).join(':')}/${bits}`;
}

/** Eight 16-bit groups of an IPv6 address (zone dropped), or undefined when it is not one. */
function expandIpv6(addr: string): number[] | undefined {
  const a = addr.replace(/%.*$/, '');
  if (!net.isIPv6(a)) return undefined;
  let text = a;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const fill = tail !== undefined ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}
