/**
 * The primary's half of a virtual: it claims the listening sockets its destination needs (the
 * primary's PortSockets, shared by every virtual of a port) while it runs. The workers accept on
 * those sockets and match each connection to its virtual themselves (worker-sockets.ts).
 * Sessions, TLS and statistics live in the workers; the acceptor checks the TLS configuration
 * too, so a key that does not load fails here with the same error and status as in
 * single-process mode.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { VirtualListenerApi } from '../contracts';
import type { VirtualSpec, VirtualStats } from '../desired-state';
import { ListenError, checkListenerTls, emptyVirtualStats } from '../listener/virtual-listener';
import type { PortSockets } from '../listener/port-sockets';
import { sameMatchRule } from '../listener/virtual-matcher';

export interface AcceptorDeps {
  logger: Logger;
  ports: PortSockets;
}

export class Acceptor implements VirtualListenerApi {
  /** Always zero here: the workers count, the primary sums their reports. */
  readonly stats: VirtualStats = emptyVirtualStats();
  readonly activeSessions = 0;
  notice: string | undefined;
  private current: VirtualSpec;
  private claimed = false;
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

  address(): net.AddressInfo {
    const a = this.claimed ? this.deps.ports.address(this.current.address, this.current.port) : undefined;
    if (!a) throw new Error(`Virtual server (${this.name}) is not listening.`);
    return a;
  }

  async listen(): Promise<void> {
    const spec = this.current;
    checkListenerTls(spec);
    try {
      this.notice = await this.deps.ports.claim(this, spec);
    } catch (err) {
      throw ListenError.fromBind(spec, err);
    }
    this.claimed = true;
    if (this.notice) this.log.warn({ notice: this.notice }, `Virtual ${spec.name}: ${this.notice}`);
    this.log.info({ address: spec.address, prefix: spec.prefix, port: spec.port }, 'virtual server listening');
  }

  update(spec: VirtualSpec): void {
    if (!sameMatchRule(spec, this.current)) {
      throw new Error(`Virtual server (${spec.name}): a new destination needs a new listener.`);
    }
    checkListenerTls(spec);
    this.current = spec;
  }

  /** Gives up its claim on the sockets; the workers drain the sessions (they follow the same desired state). */
  drain(): Promise<void> {
    this.claimed = false;
    return this.deps.ports.release(this);
  }
}
