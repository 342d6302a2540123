/**
 * Accepted connection -> virtual: the match table (virtual-matcher.ts) kept from what runs and
 * what is wanted, and the resets of connections no serving virtual takes, counted by port
 * (`show ltm virtual` prints that count with each virtual of the port). Used wherever
 * connections are accepted: the single-process data plane (connection-router.ts) and each
 * worker of the multi-process one (cluster/worker-sockets.ts).
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { VirtualSpec } from '../desired-state';
import { VirtualMatcher, matchEntry } from './virtual-matcher';

export class VirtualRoutes {
  private readonly matcher = new VirtualMatcher();
  /** What each entry was made from, so an unchanged virtual is not re-indexed. */
  private readonly entries = new Map<string, { spec: VirtualSpec; serving: boolean }>();
  /** Connections reset because no serving virtual matched, by port. */
  private readonly unmatched = new Map<number, number>();
  /** An unmatched count moved since this was last cleared (a worker's reports). */
  unmatchedChanged = false;

  constructor(
    private readonly logger: Logger,
    /** Hands a matched connection to its virtual; false when that virtual cannot take it now. */
    private readonly deliver: (virtual: string, socket: net.Socket) => boolean,
  ) {}

  /**
   * One virtual's match entry, from what runs and what is wanted: a running listener serves its
   * spec; a disabled virtual, or one whose listener failed, resets what it matches (it is not
   * passed to a less specific virtual); one still starting, or deleted, has no entry (its
   * connections go to a less specific virtual until it serves). Unchanged entries cost nothing.
   */
  update(name: string, state: { running?: VirtualSpec; desired?: VirtualSpec; failed: boolean }): void {
    const spec = state.running ?? (state.desired && (!state.desired.enabled || state.failed) ? state.desired : undefined);
    const serving = state.running !== undefined;
    const last = this.entries.get(name);
    if (last?.spec === spec && last?.serving === serving) return;
    if (spec) {
      this.matcher.set(matchEntry(spec, serving));
      this.entries.set(name, { spec, serving });
    } else {
      this.matcher.remove(name);
      this.entries.delete(name);
    }
  }

  /** Resets for want of a serving virtual, by port (cumulative). */
  unmatchedByPort(): Record<string, number> {
    return Object.fromEntries(this.unmatched);
  }

  route(sock: net.Socket): void {
    sock.on('error', () => undefined);
    try {
      const r = this.matcher.match(sock.localPort ?? -1, sock.localAddress, sock.remoteAddress);
      if (r.kind === 'virtual' && this.deliver(r.name, sock)) return;
    } catch (err) {
      this.logger.error({ err }, 'fault matching a connection to a virtual; resetting it');
    }
    const port = sock.localPort ?? -1;
    this.unmatched.set(port, (this.unmatched.get(port) ?? 0) + 1);
    this.unmatchedChanged = true;
    if (this.logger.isLevelEnabled('debug')) this.logger.debug({ local: sock.localAddress, port, remote: sock.remoteAddress }, 'no virtual server matched; connection reset');
    sock.resetAndDestroy();
  }
}
