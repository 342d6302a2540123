/**
 * Admission: whether an accepted connection may become a session. It runs on the bare TCP socket,
 * before any byte is read or written and before any TLS handshake, and costs a few map lookups
 * whatever the load, so a flood is turned away for less than it costs to send.
 *
 * BIG-IP's virtual knobs, with BIG-IP's meaning:
 * - `connection-limit`: concurrent connections of this virtual (0 = none), and those of its
 *   virtual address across every virtual on the address.
 * - `rate-limit` / `rate-limit-mode` / `rate-limit-src-mask` / `rate-limit-dst-mask`: new
 *   connections per second, counted per key. `object` keys on the virtual alone; `source`,
 *   `destination` and their combinations key on the client and/or the virtual's own address
 *   (masked to a prefix; 0 = the whole address); without `object` the key is shared by every
 *   virtual with such a mode, as on BIG-IP where the count is not tied to one virtual.
 * Plus the daemon's per-source limit (Postfix's smtpd_client_connection_count_limit): concurrent
 * connections of this virtual from one client address.
 */
import type { RateLimitSpec } from '../desired-state';
import { addressPrefix } from './address-prefix';
import type { RateWindows } from './rate-windows';

export type Refusal = 'connection-limit' | 'source-limit' | 'rate-limit';

export interface AdmissionPolicy {
  /** Full path of the virtual (the `object` part of a rate key). */
  virtual: string;
  connectionLimit: number;
  rateLimit?: RateLimitSpec;
  /** Concurrent connections per client address (0 = none). */
  sourceLimit: number;
  /** The virtual address's connection-limit, counted across every virtual on it. */
  addressLimit?: { name: string; limit: number };
}

/** What admission reads of a socket; the addresses are only read when a rule needs them. */
export interface Peer {
  readonly remoteAddress?: string;
  readonly localAddress?: string;
}

/** An admitted connection; release it exactly once when it closes. */
export interface Ticket {
  release(): void;
}

export class Admission {
  private active = 0;
  private readonly perSource = new Map<string, number>();

  constructor(
    private policy: AdmissionPolicy,
    private readonly rates: RateWindows,
    private readonly clock: () => number = Date.now,
    /** Connections per virtual address, shared by the listeners of one daemon (or worker). */
    private readonly addressCounts: Map<string, number> = new Map(),
  ) {}

  /** A new policy applies to the next connection; counts of running ones carry over. */
  configure(policy: AdmissionPolicy): void {
    this.policy = policy;
  }

  get current(): number {
    return this.active;
  }

  admit(peer: Peer): Ticket | Refusal {
    const p = this.policy;
    // A negative limit is a worker's empty share of a limit smaller than the worker count: no session.
    if (p.connectionLimit !== 0 && this.active >= p.connectionLimit) return 'connection-limit';
    const address = p.addressLimit && p.addressLimit.limit !== 0 ? p.addressLimit.name : undefined;
    if (address !== undefined && (this.addressCounts.get(address) ?? 0) >= p.addressLimit!.limit) return 'connection-limit';
    const source = p.sourceLimit !== 0 ? addressPrefix(peer.remoteAddress, 0) : undefined;
    if (source !== undefined && (this.perSource.get(source) ?? 0) >= p.sourceLimit) return 'source-limit';
    const r = p.rateLimit;
    if (r && r.perSecond !== 0 && !this.rates.take(rateKey(p.virtual, r, peer), r.perSecond, this.clock())) return 'rate-limit';
    this.active++;
    if (source !== undefined) this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    if (address !== undefined) this.addressCounts.set(address, (this.addressCounts.get(address) ?? 0) + 1);
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        this.active--;
        if (address !== undefined) {
          const a = (this.addressCounts.get(address) ?? 1) - 1;
          if (a > 0) this.addressCounts.set(address, a);
          else this.addressCounts.delete(address);
        }
        if (source === undefined) return;
        const n = (this.perSource.get(source) ?? 1) - 1;
        if (n > 0) this.perSource.set(source, n);
        else this.perSource.delete(source);
      },
    };
  }
}

/** The counter a connection falls in, per rate-limit-mode. */
export function rateKey(virtual: string, r: RateLimitSpec, peer: Peer): string {
  const mode = r.mode;
  const parts = [mode.startsWith('object') ? virtual : ''];
  if (mode.includes('source')) parts.push(addressPrefix(peer.remoteAddress, r.srcMask));
  if (mode.includes('destination')) parts.push(addressPrefix(peer.localAddress, r.dstMask));
  return `${mode}|${parts.join('|')}`;
}
