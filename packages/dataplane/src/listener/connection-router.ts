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
  private matcher = new VirtualMatcher([]);
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
   * The match table: `serving` virtuals take their connections; `closed` ones (disabled, or
   * their listener failed) reset theirs rather than pass them to a less specific virtual.
   */
  setTable(serving: readonly VirtualSpec[], closed: readonly VirtualSpec[]): void {
    this.matcher = new VirtualMatcher([...serving.map((s) => matchEntry(s, true)), ...closed.map((s) => matchEntry(s, false))]);
  }

  /** One virtual's entry: serving, closed, or gone (`spec` undefined). */
  setEntry(name: string, spec: VirtualSpec | undefined, serving: boolean): void {
    if (spec) this.matcher.set(matchEntry(spec, serving));
    else this.matcher.remove(name);
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
