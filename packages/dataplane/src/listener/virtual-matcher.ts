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
import { ipValue, inPrefix, fullBits, prefixMask, type IpValue } from '@openltm/model';
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

/** The entries of one port with one destination prefix length, by network value. */
interface Level {
  family: 4 | 6;
  prefix: number;
  mask: bigint;
  byNet: Map<bigint, Compiled[]>;
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

/** Within one destination network: the most specific source first, then a serving entry before one that does not. */
function precedence(a: Compiled, b: Compiled): number {
  return b.entry.source.prefix - a.entry.source.prefix || Number(b.entry.serving) - Number(a.entry.serving) || a.entry.name.localeCompare(b.entry.name);
}

/**
 * The match table, indexed so a lookup costs one map read per distinct destination prefix length
 * of the port (a host is one exact lookup), whatever the number of virtuals; entries are set and
 * removed one at a time, so a virtual that starts or stops costs the same with 10,000 virtuals.
 */
export class VirtualMatcher {
  private readonly byName = new Map<string, Compiled>();
  /** Per port: its levels, most specific prefix first. */
  private readonly byPort = new Map<number, Level[]>();

  constructor(entries: readonly MatchEntry[] = []) {
    for (const e of entries) this.set(e);
  }

  get size(): number {
    return this.byName.size;
  }

  /** Adds or replaces the entry of `entry.name`. */
  set(entry: MatchEntry): void {
    this.remove(entry.name);
    const net = ipValue(entry.address);
    if (!net) return;
    const src = entry.source.prefix > 0 ? ipValue(entry.source.address) : undefined;
    const c: Compiled = { entry, net, ...(src ? { src } : {}) };
    this.byName.set(entry.name, c);
    const levels = this.byPort.get(entry.port) ?? [];
    let level = levels.find((l) => l.family === net.family && l.prefix === entry.prefix);
    if (!level) {
      level = { family: net.family, prefix: entry.prefix, mask: prefixMask(entry.prefix, net.family), byNet: new Map() };
      levels.push(level);
      levels.sort((a, b) => b.prefix - a.prefix);
      this.byPort.set(entry.port, levels);
    }
    const key = net.value & level.mask;
    const list = level.byNet.get(key) ?? [];
    list.push(c);
    list.sort(precedence);
    level.byNet.set(key, list);
  }

  remove(name: string): void {
    const c = this.byName.get(name);
    if (!c) return;
    this.byName.delete(name);
    const levels = this.byPort.get(c.entry.port)!;
    const level = levels.find((l) => l.family === c.net.family && l.prefix === c.entry.prefix)!;
    const key = c.net.value & level.mask;
    const list = level.byNet.get(key)!.filter((x) => x !== c);
    if (list.length > 0) level.byNet.set(key, list);
    else level.byNet.delete(key);
    if (level.byNet.size === 0) levels.splice(levels.indexOf(level), 1);
    if (levels.length === 0) this.byPort.delete(c.entry.port);
  }

  /** The virtual for a connection to `local`:`port` from `remote`. */
  match(port: number, local: string | undefined, remote: string | undefined): MatchResult {
    const levels = this.byPort.get(port);
    const to = ipValue(local);
    if (!levels || !to) return { kind: 'none' };
    let from: IpValue | undefined | null = null;
    for (const level of levels) {
      if (level.family !== to.family) continue;
      const list = level.byNet.get(to.value & level.mask);
      if (!list) continue;
      for (const c of list) {
        if (c.src) {
          if (from === null) from = ipValue(remote);
          if (!from || !inPrefix(from, c.src, c.entry.source.prefix)) continue;
        }
        return c.entry.serving ? { kind: 'virtual', name: c.entry.name } : { kind: 'closed', name: c.entry.name };
      }
    }
    return { kind: 'none' };
  }
}
