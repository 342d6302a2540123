/**
 * Accepted connection -> virtual, in one process: the listening sockets of every port
 * (port-sockets.ts) and the match table (virtual-routes.ts). It runs before admission, so each
 * virtual's limits and counters see only its own connections however many virtuals share a
 * socket. A connection no serving virtual takes is reset without a byte written (BIG-IP resets
 * it too) and counted on its port. In the primary of a multi-process daemon the sockets are
 * bound here but accepted on by the workers (`handOut`), which keep match tables of their own.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { VirtualSpec } from '../desired-state';
import { PortSockets, type SocketHandOut, type SocketSource } from './port-sockets';
import { VirtualRoutes } from './virtual-routes';

export interface ConnectionRouterOptions {
  logger: Logger;
  /** Hands a matched connection to its virtual; false when that virtual cannot take it now. */
  deliver(virtual: string, socket: net.Socket): boolean;
  inherited?: SocketSource;
  /** The primary of a multi-process daemon: workers accept and match (port-sockets.ts). */
  handOut?: SocketHandOut;
}

export class ConnectionRouter {
  readonly sockets: PortSockets;
  private readonly routes: VirtualRoutes;

  constructor(options: ConnectionRouterOptions) {
    this.routes = new VirtualRoutes(options.logger, (virtual, socket) => options.deliver(virtual, socket));
    this.sockets = new PortSockets({
      logger: options.logger,
      onConnection: (sock) => this.routes.route(sock),
      ...(options.inherited ? { inherited: options.inherited } : {}),
      ...(options.handOut ? { handOut: options.handOut } : {}),
    });
  }

  /** One virtual's match entry (virtual-routes.ts). */
  update(name: string, state: { running?: VirtualSpec; desired?: VirtualSpec; failed: boolean }): void {
    this.routes.update(name, state);
  }

  /** Resets for want of a serving virtual, by port (cumulative). */
  unmatchedByPort(): Record<string, number> {
    return this.routes.unmatchedByPort();
  }
}
