/**
 * Accepted connection -> virtual: the listening sockets of every port (port-sockets.ts) and the
 * match table (virtual-matcher.ts). It runs before admission, so each virtual's limits and
 * counters see only its own connections however many virtuals share a socket. A connection
 * no serving virtual takes is reset without a byte written (BIG-IP resets it too) and counted
 * on its port: `show ltm virtual` prints that count with each virtual of the port.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { VirtualSpec } from '../desired-state';
import { PortSockets, type SocketSource } from './port-sockets';
import { VirtualMatcher, matchEntry } from './virtual-matcher';

export interface ConnectionRouterOptions {
  logger: Logger;
  /** Hands a matched connection to its virtual; false when that virtual cannot take it now. */
  deliver(virtual: string, socket: net.Socket): boolean;
  pauseOnConnect?: boolean;
  inherited?: SocketSource;
}

export class ConnectionRouter {
  readonly sockets: PortSockets;
  private readonly matcher = new VirtualMatcher();
  /** What each entry was made from, so an unchanged virtual is not re-indexed. */
  private readonly entries = new Map<string, { spec: VirtualSpec; serving: boolean }>();
  /** Connections reset because no serving virtual matched, by port. */
  private readonly unmatched = new Map<number, number>();

  constructor(private readonly options: ConnectionRouterOptions) {
    this.sockets = new PortSockets({
      logger: options.logger,
      onConnection: (sock) => this.route(sock),
      ...(options.pauseOnConnect !== undefined ? { pauseOnConnect: options.pauseOnConnect } : {}),
      ...(options.inherited ? { inherited: options.inherited } : {}),
    });
  }

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

  private route(sock: net.Socket): void {
    sock.on('error', () => undefined);
    try {
      const r = this.matcher.match(sock.localPort ?? -1, sock.localAddress, sock.remoteAddress);
      if (r.kind === 'virtual' && this.options.deliver(r.name, sock)) return;
    } catch (err) {
      this.options.logger.error({ err }, 'fault matching a connection to a virtual; resetting it');
    }
    const port = sock.localPort ?? -1;
    this.unmatched.set(port, (this.unmatched.get(port) ?? 0) + 1);
    if (this.options.logger.isLevelEnabled('debug')) this.options.logger.debug({ local: sock.localAddress, port, remote: sock.remoteAddress }, 'no virtual server matched; connection reset');
    sock.resetAndDestroy();
  }
}
