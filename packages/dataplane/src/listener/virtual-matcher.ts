/**
 * Which virtual a connection belongs to, from its local (destination) address, port and client
 * address, as BIG-IP picks it (11.3 and later): the most specific destination first (host, then
 * the longest network prefix, then the wildcard), then the most specific source. The port is
 * always specific here (openltm refuses port any), so BIG-IP's last tie rule, a specific port
 * before `*`, never has to decide. Two enabled virtuals with one destination, mask and source
 * are refused by the store (01070333).
 *
 * A virtual that matches but does not serve (disabled, or its listener could not start) takes
 * the connection and resets it: it is not passed to a less specific virtual. That is BIG-IP's
 * default (db TM.ContinueMatching false), and the safe one: disabling the virtual for one
 * customer's network must not hand that network's mail to the catch-all virtual.
 *
 * Pure: plain data in, a name out, no sockets, so it is tested on its own and folds in other
 * inputs (a virtual address's `enabled`) as more entries with `serving: false`.
 */
import { ipValue, inPrefix, fullBits, type IpValue } from '@openltm/model';
import type { VirtualSpec } from '../desired-state';

export interface MatchEntry {
  /** Full path of the virtual. */
  name: string;
  port: number;
  /** Destination network address and prefix length (32/128 = a host). */
  address: string;
  prefix: number;
  /** Client prefix (prefix 0 = every client). */
  source: { address: string; prefix: number };
  /** False: a match resets the connection (disabled, or not running). */
  serving: boolean;
}

export type MatchResult =
  | { kind: 'virtual'; name: string }
  /** The most specific match does not serve: reset, counted against that virtual. */
  | { kind: 'closed'; name: string }
  /** No virtual covers this destination and client: reset, counted on the port. */
  | { kind: 'none' };

interface Compiled {
  entry: MatchEntry;
  net: IpValue;
  src?: IpValue;
}

const familyOf = (spec: VirtualSpec): 4 | 6 => (spec.address.includes(':') ? 6 : 4);

/** The destination prefix length of a spec (absent = a host). */
export const prefixOf = (spec: VirtualSpec): number => spec.prefix ?? fullBits(familyOf(spec));

/** Same destination, mask and source: all that the sockets and the matcher read of a spec. */
export function sameMatchRule(a: VirtualSpec, b: VirtualSpec): boolean {
  return a.address === b.address && a.port === b.port && prefixOf(a) === prefixOf(b) &&
    (a.source?.prefix ? `${a.source.address}/${a.source.prefix}` : '') === (b.source?.prefix ? `${b.source.address}/${b.source.prefix}` : '');
}

/** A virtual spec as a match entry. */
export function matchEntry(spec: VirtualSpec, serving: boolean): MatchEntry {
  const family = familyOf(spec);
  return {
    name: spec.name,
    port: spec.port,
    address: spec.address,
    prefix: prefixOf(spec),
    source: spec.source ?? { address: family === 4 ? '0.0.0.0' : '::', prefix: 0 },
    serving,
  };
}

/** Most specific first: destination prefix, then source prefix, then a serving entry before one that does not. */
function precedence(a: Compiled, b: Compiled): number {
  return b.entry.prefix - a.entry.prefix || b.entry.source.prefix - a.entry.source.prefix || Number(b.entry.serving) - Number(a.entry.serving) || a.entry.name.localeCompare(b.entry.name);
}

export class VirtualMatcher {
  private readonly byPort = new Map<number, Compiled[]>();

  constructor(entries: readonly MatchEntry[]) {
    for (const entry of entries) {
      const net = ipValue(entry.address);
      if (!net) continue;
      const src = entry.source.prefix > 0 ? ipValue(entry.source.address) : undefined;
      const list = this.byPort.get(entry.port) ?? [];
      list.push({ entry, net, ...(src ? { src } : {}) });
      this.byPort.set(entry.port, list);
    }
    for (const list of this.byPort.values()) list.sort(precedence);
  }

  /** Ports with at least one entry. */
  ports(): number[] {
    return [...this.byPort.keys()];
  }

  /** The virtual for a connection to `local`:`port` from `remote`. */
  match(port: number, local: string | undefined, remote: string | undefined): MatchResult {
    const list = this.byPort.get(port);
    const to = ipValue(local);
    if (!list || !to) return { kind: 'none' };
    const from = ipValue(remote);
    for (const c of list) {
      if (!inPrefix(to, c.net, c.entry.prefix)) continue;
      if (c.src && (!from || !inPrefix(from, c.src, c.entry.source.prefix))) continue;
      return c.entry.serving ? { kind: 'virtual', name: c.entry.name } : { kind: 'closed', name: c.entry.name };
    }
    return { kind: 'none' };
  }
}
