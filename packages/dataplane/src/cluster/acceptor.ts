/**
 * The primary's half of a virtual: it holds the listening socket and hands each accepted
 * connection, unread, to a worker. Sessions, TLS and statistics live in the workers; the
 * acceptor checks the TLS configuration too, so a key that does not load fails here with the
 * same error and status as in single-process mode.
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import type { VirtualListenerApi } from '../contracts';
import type { VirtualSpec, VirtualStats } from '../desired-state';
import { ListenError, checkListenerTls, emptyVirtualStats } from '../listener/virtual-listener';
import type { InheritedSockets } from './inherited-sockets';

export interface AcceptorDeps {
  logger: Logger;
  inherited: InheritedSockets;
  /** Hands an accepted socket to a worker. */
  dispatch(virtual: string, socket: net.Socket): void;
}

export class Acceptor implements VirtualListenerApi {
  /** Always zero here: the workers count, the primary sums their reports. */
  readonly stats: VirtualStats = emptyVirtualStats();
  readonly activeSessions = 0;
  private current: VirtualSpec;
  private server?: net.Server;
  private readonly log: Logger;

  constructor(spec: VirtualSpec, private readonly deps: AcceptorDeps) {
    this.current = spec;
    this.log = deps.logger.child({ virtual: spec.name });
  }

  get name(): string {
    return this.current.name;
  }

  get spec(): VirtualSpec {
    return this.current;
  }

  /** The listening descriptor, for handing over to a new primary. */
  get fd(): number | undefined {
    const handle = (this.server as unknown as { _handle?: { fd?: number } } | undefined)?._handle;
    return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
  }

  address(): net.AddressInfo {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error(`Virtual server (${this.name}) is not listening.`);
    return a;
  }

  listen(): Promise<void> {
    const spec = this.current;
    try {
      checkListenerTls(spec);
    } catch (err) {
      return Promise.reject(err);
    }
    const fd = this.deps.inherited.take(spec.address, spec.port);
    return new Promise((resolve, reject) => {
      // Unread: the worker that runs the session is the first to read from the socket.
      const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (sock) => {
        if (this.server === server) this.deps.dispatch(this.current.name, sock);
        else sock.destroy();
      });
      const onError = (err: NodeJS.ErrnoException) => {
        server.close();
        reject(ListenError.from(spec, err));
      };
      server.once('error', onError);
      const ready = () => {
        server.removeListener('error', onError);
        server.on('error', (err) => this.log.error({ err }, 'listener error'));
        this.server = server;
        this.log.info({ address: spec.address, port: this.address().port, inherited: fd !== undefined }, 'virtual server listening');
        resolve();
      };
      if (fd !== undefined) server.listen({ fd }, ready);
      else server.listen({ host: spec.address, port: spec.port }, ready);
    });
  }

  update(spec: VirtualSpec): void {
    if (spec.address !== this.current.address || spec.port !== this.current.port) {
      throw new Error(`Virtual server (${spec.name}): a new destination needs a new listener.`);
    }
    checkListenerTls(spec);
    this.current = spec;
  }

  /** Stops accepting; the workers drain the sessions (they follow the same desired state). */
  drain(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
