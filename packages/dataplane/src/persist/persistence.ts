/**
 * Persistence as a session sees it: look up the member its client is persisted to, and record
 * the member it went to. The table may be in this process (LocalPersistence) or in the primary,
 * reached over IPC (cluster/persist-channel.ts); sessions do not know which.
 */
import * as net from 'node:net';
import type { PersistSpec, VirtualSpec } from '../desired-state';
import type { PersistEntry, PersistTable } from './persist-table';

export interface PersistenceService {
  /** The member a live record for `key` names (the record is refreshed), or undefined. */
  lookup(key: string): Promise<string | undefined>;
  /** The session went to `entry.member`: create or replace the record. */
  record(entry: PersistEntry): void;
}

export class LocalPersistence implements PersistenceService {
  constructor(readonly table: PersistTable) {}

  lookup(key: string): Promise<string | undefined> {
    return Promise.resolve(this.table.lookup(key));
  }

  record(entry: PersistEntry): void {
    this.table.record(entry);
  }
}

/** One session's persistence: its key is fixed by its client address and its virtual. */
export interface MemberPersistence {
  /** Choose the persisted member even at its connection limit. */
  readonly overrideConnectionLimit: boolean;
  lookup(): Promise<string | undefined>;
  /** The session was sent to this member of `pool`. */
  record(member: string, address: string, port: number, pool: string): void;
}

const unmapped = (a: string) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1] ?? a;

/** Bytes of an IPv4 or IPv6 address (an IPv6 address may end in dotted IPv4). */
function bytes(address: string): number[] {
  if (net.isIPv4(address)) return address.split('.').map(Number);
  const groups: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  const text = v4 ? address.slice(0, -v4.length) + bytes(v4).reduce((s, b, i) => s + (i === 2 ? ':' : '') + b.toString(16).padStart(2, '0'), '') : address;
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  for (const g of all) {
    const n = parseInt(g, 16);
    groups.push(n >> 8, n & 0xff);
  }
  return groups;
}

function fromBytes(b: number[]): string {
  if (b.length === 4) return b.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // Canonical (compressed) text, so equal keys read the same in show.
  return new net.SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

/**
 * The client address under the profile's mask: `none` keeps it whole; a mask of the client's
 * family is applied; a mask of the other family leaves it whole (it was written for the other
 * family's clients).
 */
export function maskedAddress(client: string, mask: string): string {
  const address = unmapped(client);
  if (mask === 'none' || net.isIP(mask) !== net.isIP(address)) return address;
  const a = bytes(address);
  const m = bytes(mask);
  return fromBytes(a.map((x, i) => x & m[i]!));
}

const hostPort = (address: string, port: number) => (net.isIPv6(address) ? `${address}.${port}` : `${address}:${port}`);

/**
 * The persistence of sessions on this virtual, or undefined when it has none. The record key
 * says where a record applies: this virtual (or, with match-across-services, every virtual on its
 * address; with match-across-virtuals, every virtual that also matches across virtuals) and this
 * pool (with match-across-pools, any pool: the member is then found by name in the pool in use).
 */
export function sessionPersistence(spec: VirtualSpec, service: PersistenceService | undefined): ((client: string) => MemberPersistence) | undefined {
  const p: PersistSpec | undefined = spec.persist;
  if (!p || !service || !spec.pool) return undefined;
  const scope = p.matchAcrossVirtuals ? '*' : p.matchAcrossServices ? `address ${spec.address}` : `virtual ${spec.name}`;
  const poolScope = p.matchAcrossPools ? '*' : spec.pool;
  return (client) => {
    const value = maskedAddress(client, p.mask);
    const key = `source-address ${value} ${scope} ${poolScope}`;
    return {
      overrideConnectionLimit: p.overrideConnectionLimit,
      lookup: () => service.lookup(key),
      record: (member, address, port, pool) =>
        service.record({
          key, mode: 'source-address', value, virtual: spec.name, virtualAddr: hostPort(spec.address, spec.port), pool, member,
          nodeAddr: hostPort(address, port), clientAddr: unmapped(client), timeout: p.timeout,
        }),
    };
  };
}
