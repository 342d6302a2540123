/**
 * The listening sockets of a data plane: a socket belongs to a port, not to a virtual. Each
 * running virtual claims what its destination needs, and for each port and address family:
 * - when any claim is a network or wildcard virtual, the wildcard (0.0.0.0, or :: IPv6-only)
 *   is bound, and the kernel delivers every local address of that port to it;
 * - otherwise each host virtual's own address is bound, so other addresses' port stays free
 *   for other software (a local Postfix on 127.0.0.1:25 beside a virtual on 192.0.2.10:25).
 * Which virtual a connection belongs to is decided per connection (virtual-matcher.ts), so
 * adding or removing a virtual whose addresses a bound socket already covers touches no socket.
 *
 * Linux refuses 0.0.0.0:P while 127.0.0.1:P listens (and back) unless both set SO_REUSEPORT,
 * which Node 20's net cannot set: moving a port between host sockets and the wildcard closes
 * the old sockets and binds the new ones in one turn of the event loop. A connection arriving
 * in that instant is refused; docs/operations.md says so. A wildcard that cannot be bound
 * (another program holds the port) gives the host sockets back and fails the claim.
 */
import * as net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { Logger } from 'pino';
import { fullBits, ipValue, formatIp } from '@openltm/model';
import type { VirtualSpec } from '../desired-state';

/** A listening descriptor handed over by a previous primary, looked up by address and port. */
export interface SocketSource {
  take(address: string, port: number): number | undefined;
}

export interface PortSocketsOptions {
  logger: Logger;
  /** Every accepted connection, on whichever socket it came (not called with `handOut`). */
  onConnection(socket: net.Socket): void;
  inherited?: SocketSource;
  /**
   * The primary of a multi-process daemon: sockets are bound (or inherited) here but accepted on
   * by the workers, which get each socket once (cluster/worker-sockets.ts). This process holds the
   * descriptor (for a seamless restart) and never accepts.
   */
  handOut?: SocketHandOut;
}

/** Where the sockets of a `handOut` PortSockets are accepted on. */
export interface SocketHandOut {
  /** A socket bound here (`key` is `address|port`): resolves once it accepts connections elsewhere. */
  opened(key: string, handle: ServerHandle): Promise<void>;
  /** The socket is about to close here: resolves once nobody else accepts on it. */
  closing(key: string): Promise<void>;
}

/** libuv's TCP handle as node's net module makes it for a server (the `net.Native` of an IPC message). */
export interface ServerHandle {
  readonly fd: number;
  getsockname(out: Partial<net.AddressInfo>): number;
  close(): void;
}

/** libuv's UV_TCP_IPV6ONLY bind flag. */
const UV_TCP_IPV6ONLY = 1;

/**
 * A bound, not yet accepting TCP server socket, the way node's cluster primary makes the sockets
 * its workers accept on (net's internal `_createServerHandle`); an errno (negative) on failure.
 */
const createServerHandle = (net as unknown as {
  _createServerHandle(address: string | null, port: number, addressType: number, fd?: number, flags?: number): ServerHandle | number;
})._createServerHandle;

/** A bound socket: where, and its descriptor (for a seamless restart). */
export interface BoundSocket {
  address: string;
  port: number;
  fd?: number;
}

interface Claim {
  spec: VirtualSpec;
}

/** The claims on one port and family, counted (a port may carry thousands of host virtuals). */
interface PortClaims {
  networks: number;
  /** Host addresses claimed, with how many claims each. */
  hosts: Map<string, number>;
}

const familyOf = (address: string): 4 | 6 => (net.isIPv6(address) ? 6 : 4);
const wildcardOf = (family: 4 | 6): string => (family === 4 ? '0.0.0.0' : '::');
const keyOf = (address: string, port: number): string => `${address}|${port}`;
const portKeyOf = (port: number, family: 4 | 6): string => `${port}|${family}`;
const isNetwork = (spec: VirtualSpec): boolean => (spec.prefix ?? fullBits(familyOf(spec.address))) < fullBits(familyOf(spec.address));

/** A bind or accept failure, with Node's code (EADDRINUSE, EACCES...) kept. */
export class BindError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly address: string, readonly port: number) {
    super(message);
    this.name = 'BindError';
  }
}

export class PortSockets {
  private readonly claims = new Map<object, Claim>();
  private readonly ports = new Map<string, PortClaims>();
  private readonly servers = new Map<string, net.Server | ServerHandle>();
  /** The addresses with a listening socket, per port and family. */
  private readonly listening = new Map<string, Set<string>>();
  /** Socket changes run one at a time (claims and releases interleave across awaits otherwise). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PortSocketsOptions) {}

  /**
   * Makes the sockets `spec` needs listen (if they do not already), for `owner`. Resolves with a
   * note when the virtual's addresses cannot reach this host; rejects with a BindError.
   */
  claim(owner: object, spec: VirtualSpec): Promise<string | undefined> {
    if (spec.port === 0) return Promise.reject(new BindError('cannot listen on port any (0): every virtual needs its port', undefined, spec.address, 0));
    return this.serial(async () => {
      this.addClaim(owner, spec);
      try {
        await this.settle(spec.port, familyOf(spec.address), spec.address);
      } catch (err) {
        this.dropClaim(owner);
        // Put back what this port had before the claim (host sockets a wildcard replaced).
        await this.settle(spec.port, familyOf(spec.address)).catch((e: unknown) => this.options.logger.error({ err: e }, 'cannot restore listening sockets'));
        throw err;
      }
      return this.deliverable(spec);
    });
  }

  /** Drops `owner`'s claim; sockets no claim needs any more close. */
  release(owner: object): Promise<void> {
    const claim = this.claims.get(owner);
    if (!claim) return Promise.resolve();
    return this.serial(async () => {
      this.dropClaim(owner);
      await this.settle(claim.spec.port, familyOf(claim.spec.address), claim.spec.address).catch((err: unknown) =>
        this.options.logger.error({ err, port: claim.spec.port }, 'cannot bind the listening sockets this port still needs'),
      );
    });
  }

  /** The sockets listening now. */
  bound(): BoundSocket[] {
    return [...this.servers.entries()].map(([key, server]) => {
      const [address, port] = key.split('|');
      const handle = server instanceof net.Server ? (server as unknown as { _handle?: { fd?: number } })._handle : server;
      return { address, port: Number(port), ...(typeof handle?.fd === 'number' && handle.fd >= 0 ? { fd: handle.fd } : {}) };
    });
  }

  /** Where a socket for this port listens (its real port when bound with port 0: tests). */
  address(address: string, port: number): net.AddressInfo | undefined {
    const server = this.servers.get(keyOf(address, port)) ?? this.servers.get(keyOf(wildcardOf(familyOf(address)), port));
    if (server && !(server instanceof net.Server)) {
      const out: Partial<net.AddressInfo> = {};
      return server.getsockname(out) === 0 ? (out as net.AddressInfo) : undefined;
    }
    const a = server?.address();
    return a && typeof a !== 'string' ? a : undefined;
  }

  /** Closes every socket (the data plane is stopping). */
  async closeAll(): Promise<void> {
    await this.serial(async () => {
      this.claims.clear();
      this.ports.clear();
      await Promise.all([...this.servers.keys()].map((key) => this.close(key)));
    });
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private addClaim(owner: object, spec: VirtualSpec): void {
    this.dropClaim(owner);
    this.claims.set(owner, { spec });
    const pk = portKeyOf(spec.port, familyOf(spec.address));
    let pc = this.ports.get(pk);
    if (!pc) this.ports.set(pk, (pc = { networks: 0, hosts: new Map() }));
    if (isNetwork(spec)) pc.networks++;
    else pc.hosts.set(spec.address, (pc.hosts.get(spec.address) ?? 0) + 1);
  }

  private dropClaim(owner: object): void {
    const claim = this.claims.get(owner);
    if (!claim) return;
    this.claims.delete(owner);
    const { spec } = claim;
    const pk = portKeyOf(spec.port, familyOf(spec.address));
    const pc = this.ports.get(pk);
    if (!pc) return;
    if (isNetwork(spec)) pc.networks--;
    else {
      const n = (pc.hosts.get(spec.address) ?? 0) - 1;
      if (n > 0) pc.hosts.set(spec.address, n);
      else pc.hosts.delete(spec.address);
    }
    if (pc.networks === 0 && pc.hosts.size === 0) this.ports.delete(pk);
  }

  /**
   * Closes what the port no longer needs, then binds what it needs and lacks. `changed` is the
   * address whose claim just came or went: while the port has only host sockets, that address is
   * the only one that can need a change, so a port with thousands of host virtuals costs O(1) per
   * claim (a full pass over the port's addresses happens only when the wildcard comes or goes).
   */
  private async settle(port: number, family: 4 | 6, changed?: string): Promise<void> {
    const pc = this.ports.get(portKeyOf(port, family));
    const have = this.listening.get(portKeyOf(port, family)) ?? new Set<string>();
    const wildcard = wildcardOf(family);
    const networkMode = (pc?.networks ?? 0) > 0;
    const want = (a: string): boolean => (networkMode ? a === wildcard : (pc?.hosts.get(a) ?? 0) > 0);
    const candidates = networkMode
      ? [wildcard, ...have]
      : changed !== undefined && !have.has(wildcard)
        ? [changed]
        : [...(pc?.hosts.keys() ?? []), ...have];
    const missing: string[] = [];
    const extra: string[] = [];
    for (const a of new Set(candidates)) {
      const w = want(a);
      const h = have.has(a);
      if (w && !h) missing.push(a);
      else if (!w && h) extra.push(keyOf(a, port));
    }
    // A wildcard and a host socket of one port cannot both listen: close first (see above).
    const conflicting = missing.length > 0 && extra.length > 0;
    if (conflicting) await Promise.all(extra.map((k) => this.close(k)));
    for (const address of missing) await this.bind(address, port);
    if (!conflicting) await Promise.all(extra.map((k) => this.close(k)));
  }

  private bind(address: string, port: number): Promise<void> {
    const fd = this.options.inherited?.take(address, port);
    if (this.options.handOut) return this.bindHandle(address, port, fd, this.options.handOut);
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true }, (sock) => this.options.onConnection(sock));
      const onError = (err: NodeJS.ErrnoException) => {
        server.close();
        const where = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
        const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EADDRNOTAVAIL' ? 'address not available on this host' : err.message;
        reject(new BindError(`cannot listen on ${where}: ${why}`, err.code, address, port));
      };
      server.once('error', onError);
      const ready = () => {
        server.removeListener('error', onError);
        server.on('error', (err) => this.options.logger.error({ err, address, port }, 'listening socket error'));
        this.opened(address, port, server, fd !== undefined);
        resolve();
      };
      if (fd !== undefined) server.listen({ fd }, ready);
      // The IPv6 wildcard takes IPv6 only: IPv4 has its own 0.0.0.0 socket.
      else server.listen({ host: address, port, ...(address === '::' ? { ipv6Only: true } : {}) }, ready);
    });
  }

  private opened(address: string, port: number, server: net.Server | ServerHandle, inherited: boolean): void {
    this.servers.set(keyOf(address, port), server);
    const pk = portKeyOf(port, familyOf(address));
    let set = this.listening.get(pk);
    if (!set) this.listening.set(pk, (set = new Set()));
    set.add(address);
    this.options.logger.info({ address, port, inherited }, 'listening socket opened');
  }

  /**
   * Binds (or takes the inherited descriptor) without accepting here, and waits until the socket
   * accepts elsewhere (the workers): the virtual is not said to listen before it does.
   */
  private async bindHandle(address: string, port: number, fd: number | undefined, handOut: SocketHandOut): Promise<void> {
    const family = familyOf(address);
    const handle = fd !== undefined ? createServerHandle(null, 0, family, fd) : createServerHandle(address, port, family, undefined, address === '::' ? UV_TCP_IPV6ONLY : 0);
    if (typeof handle === 'number') {
      const code = getSystemErrorName(handle);
      const where = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
      const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'address not available on this host' : code;
      throw new BindError(`cannot listen on ${where}: ${why}`, code, address, port);
    }
    const key = keyOf(address, port);
    try {
      await handOut.opened(key, handle);
    } catch (err) {
      await handOut.closing(key);
      handle.close();
      throw err;
    }
    this.opened(address, port, handle, fd !== undefined);
  }

  /**
   * Stops listening at once. close() releases the listening descriptor synchronously; its
   * callback waits for every connection the server ever accepted to end, which must not hold
   * up the bind that replaces it (sessions live on, owned by their virtuals or workers).
   */
  private async close(key: string): Promise<void> {
    const server = this.servers.get(key);
    this.servers.delete(key);
    const [address, port] = key.split('|');
    const pk = portKeyOf(Number(port), familyOf(address));
    this.listening.get(pk)?.delete(address);
    if (this.listening.get(pk)?.size === 0) this.listening.delete(pk);
    if (!server) return;
    // The workers' copies close first: a socket still listening there would keep its port (and
    // a wildcard replacing it could not bind).
    if (!(server instanceof net.Server)) await this.options.handOut?.closing(key);
    this.options.logger.info({ socket: key.replace('|', ' port ') }, 'listening socket closed');
    server.close();
  }

  /**
   * Whether the kernel can deliver the virtual's addresses here: a host address must be local,
   * a network needs a local address or an AnyIP route (`ip route add local 10.0.0.0/24 dev lo`).
   * Tried by binding a throwaway socket to the address (or the network's first address).
   */
  private async deliverable(spec: VirtualSpec): Promise<string | undefined> {
    const family = familyOf(spec.address);
    const prefix = spec.prefix ?? fullBits(family);
    if (prefix === 0 || this.servers.has(keyOf(spec.address, spec.port))) return undefined;
    const v = ipValue(spec.address);
    if (!v) return undefined;
    const probe = prefix >= fullBits(family) - 1 ? spec.address : formatIp({ family, value: v.value + 1n });
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'EADDRNOTAVAIL'));
      s.listen({ host: probe, port: 0 }, () => s.close(() => resolve(true)));
    });
    if (ok) return undefined;
    const what = prefix === fullBits(family) ? `${spec.address} is not an address of this host` : `no address of this host or AnyIP route covers ${spec.address}/${prefix} (${probe} is not local)`;
    return `${what}: connections to it cannot arrive (see docs/operations.md, AnyIP)`;
  }
}
