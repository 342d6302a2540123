import { isIP } from 'node:net';

/** Well-known port names tmsh prints and accepts (from /etc/services). */
export const SERVICE_PORTS: Readonly<Record<string, number>> = {
  any: 0, ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, pop3: 110, imap: 143,
  https: 443, smtps: 465, submission: 587, imaps: 993, pop3s: 995, webcache: 8080, tproxy: 8081,
};
/** Port number -> the name `list` prints (465 is `smtps` in BIG-IP's /etc/services). */
const PORT_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(SERVICE_PORTS).map(([name, port]) => [port, name]),
);

/** An address with an optional route domain: `10.0.0.1%2`. */
export interface ParsedAddress {
  address: string;
  family: 4 | 6;
  routeDomain?: number;
}

/** A destination: address, optional route domain, port, optional partition prefix. */
export interface ParsedDestination extends ParsedAddress {
  port: number;
  partition?: string;
  /** A prefix length written into the destination (`10.0.0.0/24:25`; `any:25` is 0); absent = the mask says. */
  prefix?: number;
}

/** Parses `10.0.0.1`, `10.0.0.1%2`, `2001:db8::1`, `2001:db8::1%3`; undefined if invalid. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const m = /^([^%]+)(?:%(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const family = isIP(m[1]);
  if (family !== 4 && family !== 6) return undefined;
  const routeDomain = m[2] === undefined ? undefined : Number(m[2]);
  if (routeDomain !== undefined && routeDomain > 65534) return undefined;
  return { address: m[1], family, ...(routeDomain !== undefined ? { routeDomain } : {}) };
}

/** Parses a port number or service name; undefined if invalid. */
export function parsePort(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return SERVICE_PORTS[text];
}

/**
 * Parses a virtual destination as tmsh accepts it: `10.0.0.1:25`, `10.0.0.1%2:smtp`,
 * `/Common/10.0.0.1:25`, IPv6 `2001:db8::1.25` (BIG-IP separates an IPv6 port with a dot),
 * a network written with its prefix (`10.0.0.0/24:25`, `2001:db8::/64.25`), and the wildcards
 * `any:25` (0.0.0.0, prefix 0) and `any6.25` (::, prefix 0).
 */
export function parseDestination(text: string): ParsedDestination | undefined {
  let rest = text;
  let partition: string | undefined;
  const pm = /^\/([^/]+)\/(.+)$/.exec(rest);
  if (pm) {
    partition = pm[1];
    rest = pm[2];
  }
  // IPv4 (with optional %rd and /prefix): the last colon separates the port.
  const v4 = /^((?:\d{1,3}(?:\.\d{1,3}){3}|any)(?:%\d{1,5})?(?:\/\d{1,3})?):([A-Za-z0-9-]+)$/.exec(rest);
  let addrText: string | undefined;
  let portText: string | undefined;
  if (v4) {
    addrText = v4[1];
    portText = v4[2];
  } else {
    const v6 = /^(.*:.*?|any6(?:%\d{1,5})?)\.([A-Za-z0-9-]+)$/.exec(rest);
    if (v6) {
      addrText = v6[1];
      portText = v6[2];
    }
  }
  if (addrText === undefined || portText === undefined) return undefined;
  let prefix: number | undefined;
  const pre = /^(.*)\/(\d{1,3})$/.exec(addrText);
  if (pre) {
    addrText = pre[1];
    prefix = Number(pre[2]);
  }
  const wildcard = /^(any6?)((?:%\d{1,5})?)$/.exec(addrText);
  if (wildcard) {
    if (prefix !== undefined && prefix !== 0) return undefined;
    addrText = `${wildcard[1] === 'any' ? '0.0.0.0' : '::'}${wildcard[2]}`;
    prefix = 0;
  }
  const addr = parseAddress(addrText);
  const port = parsePort(portText);
  if (!addr || port === undefined) return undefined;
  if (prefix !== undefined && prefix > (addr.family === 4 ? 32 : 128)) return undefined;
  return { ...addr, port, ...(partition ? { partition } : {}), ...(prefix !== undefined ? { prefix } : {}) };
}

/** Formats an address with its route domain. */
export function formatAddress(a: ParsedAddress): string {
  return a.routeDomain !== undefined ? `${a.address}%${a.routeDomain}` : a.address;
}

/**
 * Formats a destination: numeric ports for saved files (`numeric: true`), service names for `list`.
 * IPv6 uses `.port`, as BIG-IP does.
 */
export function formatDestination(d: ParsedDestination, options: { numeric?: boolean; partition?: string } = {}): string {
  const port = options.numeric ? String(d.port) : (PORT_NAMES[d.port] ?? String(d.port));
  const sep = d.family === 6 ? '.' : ':';
  const prefix = options.partition ? `/${options.partition}/` : '';
  return `${prefix}${formatAddress(d)}${sep}${port}`;
}

/** A pool member name `10.0.0.1:25` / `2001:db8::1.25` / `/Common/node1:25`: node part and port. */
export function parseMemberName(text: string): { node: string; port: number } | undefined {
  const d = parseDestination(text);
  if (d && d.prefix === undefined) return { node: (d.partition ? `/${d.partition}/` : '') + formatAddress(d), port: d.port };
  const m = /^(.+):([A-Za-z0-9-]+)$/.exec(text);
  if (!m) return undefined;
  const port = parsePort(m[2]);
  return port === undefined ? undefined : { node: m[1], port };
}

/** Parses a dotted netmask; undefined if not contiguous. */
export function isNetmask(text: string): boolean {
  if (isIP(text) === 6) return true;
  if (isIP(text) !== 4) return false;
  const n = text.split('.').reduce((acc, o) => (acc << 8) | Number(o), 0) >>> 0;
  const inv = ~n >>> 0;
  return (inv & (inv + 1)) === 0;
}

/** `0.0.0.0/0`, `10.0.0.0/8`, `::/0`. */
export function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const addr = parseAddress(m[1]);
  if (!addr) return false;
  return Number(m[2]) <= (addr.family === 4 ? 32 : 128);
}
