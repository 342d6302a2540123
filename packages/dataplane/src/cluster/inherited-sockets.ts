/**
 * Listening sockets a new primary inherits from the old one (seamless restart) as file
 * descriptors, named by address:port in an environment variable. The new primary listens on
 * those descriptors instead of binding, so the kernel keeps queueing connections across the
 * handover and no client is refused. Descriptors no virtual claims are closed after the first
 * reconcile.
 */
import * as fs from 'node:fs';

/** Environment variable: JSON `[{ "address": "127.0.0.1", "port": 2525, "fd": 3 }, ...]`. */
export const INHERITED_ENV = 'OPENLTM_LISTEN_FDS';

export interface InheritedSocket {
  address: string;
  port: number;
  fd: number;
}

export class InheritedSockets {
  private readonly free = new Map<string, number>();
  /** Every inherited descriptor, claimed or not. */
  readonly fds: readonly number[];

  constructor(list: readonly InheritedSocket[] = []) {
    for (const s of list) this.free.set(keyOf(s.address, s.port), s.fd);
    this.fds = list.map((s) => s.fd);
  }

  /** Reads the list the old primary left in the environment (and removes it, so workers do not see it). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): InheritedSockets {
    const raw = env[INHERITED_ENV];
    delete env[INHERITED_ENV];
    if (!raw) return new InheritedSockets();
    const list = JSON.parse(raw) as InheritedSocket[];
    if (!Array.isArray(list) || !list.every((s) => typeof s.address === 'string' && Number.isInteger(s.port) && Number.isInteger(s.fd))) {
      throw new Error(`${INHERITED_ENV} is not a list of { address, port, fd }`);
    }
    return new InheritedSockets(list);
  }

  get size(): number {
    return this.free.size;
  }

  /** The inherited descriptor listening on address:port, once. */
  take(address: string, port: number): number | undefined {
    const key = keyOf(address, port);
    const fd = this.free.get(key);
    this.free.delete(key);
    return fd;
  }

  /** Closes what nobody claimed (virtuals deleted while the daemon restarted). */
  closeUnclaimed(): number {
    const n = this.free.size;
    for (const fd of this.free.values()) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already closed: nothing to release.
      }
    }
    this.free.clear();
    return n;
  }
}

const keyOf = (address: string, port: number): string => `${address}|${port}`;
