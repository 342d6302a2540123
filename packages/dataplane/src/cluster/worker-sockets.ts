/**
 * A worker's copies of the listening sockets. The primary binds each socket (or inherits it on a
 * restart) and sends it to every worker once; every worker accepts on it, and the kernel gives
 * each connection to one of them, as to nginx's workers (node's cluster SCHED_NONE works the same
 * way). No connection passes through the primary. The worker matches each connection to its
 * virtual from the virtuals it runs itself (virtual-routes.ts; every worker runs the same desired
 * state) and resets what no serving virtual takes, counted on its port.
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import { VirtualRoutes } from '../listener/virtual-routes';

export class WorkerSockets {
  private readonly servers = new Map<string, net.Server>();
  readonly routes: VirtualRoutes;

  constructor(
    private readonly log: Logger,
    /** Hands a matched connection to its virtual; false when that virtual cannot take it here. */
    deliver: (virtual: string, socket: net.Socket) => boolean,
  ) {
    this.routes = new VirtualRoutes(log, deliver);
  }

  /** Accepts on a socket the primary sent; rejects with the errno name when it cannot. */
  open(key: string, handle: unknown): Promise<void> {
    this.close(key);
    // listen(undefined) would bind a random port on every address: never without the handle.
    if (typeof handle !== 'object' || handle === null) return Promise.reject(Object.assign(new Error('no socket handle in the message'), { code: 'EBADF' }));
    const server = net.createServer({ allowHalfOpen: true }, (sock) => this.routes.route(sock));
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err));
      server.listen(handle, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.log.error({ err, socket: key }, 'listening socket error'));
        this.servers.set(key, server);
        resolve();
      });
    });
  }

  /** Stops accepting on a socket (the primary closes it, or this worker stops); its sessions live on. */
  close(key: string): void {
    const server = this.servers.get(key);
    this.servers.delete(key);
    server?.close();
  }

  closeAll(): void {
    for (const key of [...this.servers.keys()]) this.close(key);
  }
}
