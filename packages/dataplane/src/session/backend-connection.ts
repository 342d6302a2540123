/**
 * The plaintext connection from the proxy to one pool member: choose a member, connect with a
 * timeout, wait for the greeting, then relay. A member that refuses, times out or never greets is
 * reported to the selector (which marks it down passively) and the next one is tried, until
 * every available member has been; once a greeting has arrived, the session is bound to that
 * member (SMTP state cannot be replayed elsewhere).
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import type { BackendLease, BackendSelector } from '../contracts';
import { ReplyParser, type Reply } from './reply-parser';
import { xclientToMember, type XclientOutcome, type XclientSpec } from './xclient';
import { connectImplicit, IMPLICIT_TLS_PORT, starttlsToMember, type MemberTls } from './member-tls';
import type { MemberPersistence } from '../persist/persistence';

export interface BackendOpenOptions {
  selector: BackendSelector;
  pool: string | undefined;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  logger: Logger;
  /** A server-ssl profile on the virtual: member connections are TLS (see member-tls.ts). */
  memberTls?: MemberTls;
  /** The PROXY protocol header (proxy-header.ts): the first bytes on every member connection. */
  proxyHeader?: Buffer;
  /** source-address-translation: the local address for a member (source-address.ts). */
  sourceAddress?: (memberAddress: string) => string | undefined | null;
  /** Source-address persistence: the member a record names is tried first, and the member used is recorded. */
  persistence?: MemberPersistence;
  /** smtps `client-identity xclient`: the exchange, what to do when it fails, and who hears of it. */
  xclient?: { spec: XclientSpec; fallback: 'relay' | 'next-member'; onOutcome(o: XclientOutcome, member: string): void };
}

export type BackendOpenResult =
  | { ok: true; conn: BackendConnection; greeting: Reply }
  /** no-member: none available or none connectable; no-answer: connected but never greeted. */
  | { ok: false; reason: 'no-member' | 'no-answer' };

const QUIT = Buffer.from('QUIT\r\n');

/**
 * Where a plain member connection's reads land (net's `onread`): one buffer for every such socket
 * in the process, reused read after read. It spares each read a 64 KiB allocation, an ArrayBuffer
 * and the stream machinery ('data' events, a nextTick); the price is one small copy of the bytes
 * read (replies are kept until their turn), made by the router below.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Routes a member socket's reads: first to the greeting wait, then to the BackendConnection. */
interface ReadRoute {
  to: (chunk: Buffer) => void;
}

function routedRead(route: ReadRoute): net.OnReadOpts {
  return {
    buffer: READ_BUFFER,
    callback: (n: number, buf: Uint8Array) => {
      // A copy: READ_BUFFER is overwritten by the next read of any member socket.
      const chunk = Buffer.allocUnsafe(n);
      chunk.set(buf.subarray(0, n));
      route.to(chunk);
      return true;
    },
  };
}

export class BackendConnection {
  onReply: (reply: Reply) => void = () => undefined;
  /** The backend went away without being asked to. */
  onLost: () => void = () => undefined;
  onDrain: () => void = () => undefined;
  private closing = false;
  private released = false;
  private readonly replies: Reply[] = [];

  private constructor(readonly socket: net.Socket, readonly lease: BackendLease, private readonly parser: ReplyParser) {}

  private readonly onData = (chunk: Buffer): void => {
    this.lease.stats.bytesIn += chunk.length;
    try {
      this.parser.push(chunk, this.replies);
    } catch {
      this.destroy();
      this.onLost();
      return;
    }
    this.deliver();
  };

  get member(): string {
    return this.lease.member;
  }

  static async open(opts: BackendOpenOptions): Promise<BackendOpenResult> {
    const tried = new Set<string>();
    let reason: 'no-member' | 'no-answer' = 'no-member';
    const persist = opts.persistence;
    const persisted = persist && opts.pool ? await persist.lookup() : undefined;
    const prefer = persisted ? { member: persisted, overrideLimit: persist!.overrideConnectionLimit } : undefined;
    // Bounded by the pool: the selector never hands back a member in `tried`.
    while (opts.pool) {
      const lease = opts.selector.acquire(opts.pool, tried, prefer);
      if (!lease) break;
      if (tried.has(lease.member)) {
        // A selector that ignores `tried` would loop for ever.
        lease.release();
        break;
      }
      tried.add(lease.member);
      const r = await attempt(lease, opts);
      if (r.ok) {
        // A new client, or its member was unavailable: the record now names the member used.
        if (persist && lease.member !== persisted) {
          if (persisted) opts.logger.debug({ persisted, member: lease.member }, 'persisted member unavailable; the record now names another');
          persist.record(lease.member, lease.address, lease.port, lease.pool);
        }
        return r;
      }
      reason = r.reason;
    }
    return { ok: false, reason };
  }

  /** Wire up relaying once the greeting has been read. */
  private attach(rest: Reply[], route: ReadRoute | undefined): void {
    const s = this.socket;
    if (route) route.to = this.onData;
    else s.on('data', this.onData);
    s.on('drain', () => this.onDrain());
    s.on('close', () => {
      this.releaseOnce();
      if (!this.closing) this.onLost();
    });
    this.replies.push(...rest);
  }

  /** Deliver replies that arrived with or after the greeting (called once the session listens). */
  deliver(): void {
    while (this.replies.length > 0 && !this.closing) this.onReply(this.replies.shift()!);
  }

  /** Returns false when the socket buffer is full (wait for onDrain). */
  write(data: Buffer | string): boolean {
    if (this.closing) return true;
    this.lease.stats.bytesOut += data.length;
    return this.socket.write(data);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Polite end: QUIT, then close shortly whatever the member says. */
  quit(): void {
    if (this.closing) return;
    this.write(QUIT);
    this.closing = true;
    this.finish();
  }

  /** End without QUIT: the member already said goodbye (221 or 421). */
  end(): void {
    if (this.closing) return;
    this.closing = true;
    this.finish();
  }

  private finish(): void {
    this.socket.end();
    // Read on, whatever flow control said: a paused socket (onread stops reading for real) would
    // never see the member's FIN, and the connection would count against the member until the
    // timer below. What it still sends is dropped (closing).
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Abrupt end: used mid-DATA, where a QUIT would be read as content. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private releaseOnce(): void {
    if (this.released) return;
    this.released = true;
    this.lease.release();
  }

  /** Used by attempt(): build the object around a greeted socket. */
  static adopt(socket: net.Socket, lease: BackendLease, parser: ReplyParser, rest: Reply[], route?: ReadRoute): BackendConnection {
    const conn = new BackendConnection(socket, lease, parser);
    conn.attach(rest, route);
    return conn;
  }
}

function attempt(lease: BackendLease, opts: BackendOpenOptions): Promise<BackendOpenResult> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const memberTls = opts.memberTls;
    const implicitTls = memberTls !== undefined && lease.port === IMPLICIT_TLS_PORT;
    const header = opts.proxyHeader;
    // With a PROXY header the TCP connection is ours, so that the header precedes any TLS byte.
    const local = opts.sourceAddress?.(lease.address);
    if (local === null) {
      // Not the member's fault: this virtual's SNAT pool has no address of its family.
      opts.logger.warn({ member: lease.member }, 'SNAT pool has no address of the member\'s family; trying another member');
      lease.release();
      return resolve({ ok: false, reason: 'no-member' });
    }
    const bind = local ? { localAddress: local } : {};
    // A plain member connection that stays the session's own (no TLS, no XCLIENT exchange) reads
    // into the shared buffer; the others keep 'data' events, which their helpers listen to.
    const route: ReadRoute | undefined = !memberTls && !opts.xclient ? { to: () => undefined } : undefined;
    const raw = header || !implicitTls || local ? net.connect({ host: lease.address, port: lease.port, ...bind, ...(route ? { onread: routedRead(route) } : {}) }) : undefined;
    if (raw && header) raw.write(header);
    const socket: net.Socket = implicitTls ? connectImplicit(lease.address, lease.port, memberTls, raw) : raw!;
    socket.setNoDelay(true);
    const parser = new ReplyParser();
    const replies: Reply[] = [];
    let phase: 'connect' | 'greeting' = 'connect';
    let done = false;
    // TCP is up on an implicit-TLS member: an error now is the TLS handshake's.
    let tcpUp = false;
    /**
     * `tlsStage`: the member answered but TLS with it failed (no STARTTLS, a certificate that does
     * not verify). That is this virtual's server-ssl against this member, not the member's health:
     * it is logged, and the member is not marked down for the other virtuals of its pool.
     */
    const fail = (why: string, err?: Error, tlsStage: boolean | 'identity' | 'snat' = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      // The selector's failed() logs for the member (rate-limited there); this is per session.
      opts.logger.debug({ member: lease.member, reason: why, ...(err ? { err } : {}) }, 'backend connection failed');
      if (tlsStage === 'snat') opts.logger.warn({ member: lease.member, source: local, reason: why }, 'cannot bind the SNAT address; trying another member');
      else if (tlsStage === 'identity') opts.logger.warn({ member: lease.member, reason: why }, 'member cannot take the client identity (XCLIENT); trying another member');
      else if (tlsStage) opts.logger.warn({ member: lease.member, profile: opts.memberTls?.profile, reason: why }, 'member TLS failed; trying another member');
      else lease.failed(why);
      lease.release();
      resolve({ ok: false, reason: phase === 'greeting' && why === 'greeting timeout' ? 'no-answer' : 'no-member' });
    };
    let timer = setTimeout(() => fail('connect timeout'), opts.connectTimeoutMs);
    if (implicitTls) (raw ?? socket).once('connect', () => (tcpUp = true));
    socket.once(implicitTls ? 'secureConnect' : 'connect', () => {
      phase = 'greeting';
      clearTimeout(timer);
      timer = setTimeout(() => fail('greeting timeout'), opts.greetingTimeoutMs);
    });
    const onData = (chunk: Buffer) => {
      lease.stats.bytesIn += chunk.length;
      try {
        parser.push(chunk, replies);
      } catch {
        fail('oversized greeting');
        return;
      }
      if (replies.length === 0 || done) return;
      done = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.on('error', () => undefined);
      const greeting = replies.shift()!;
      lease.responded?.(performance.now() - startedAt);
      // Member TLS first (its STARTTLS bridge), then XCLIENT inside it: one ordered chain.
      const secured: Promise<net.Socket> =
        !memberTls || implicitTls
          ? Promise.resolve(socket)
          : starttlsToMember(socket, replies.splice(0), memberTls).then((secure) => {
              secure.on('error', () => undefined);
              opts.logger.debug({ member: lease.member, profile: memberTls.profile, protocol: secure.getProtocol() }, 'member TLS established');
              return secure;
            }, (err: Error) => Promise.reject(Object.assign(err, { tlsStage: true })));
      secured
        .then(async (s) => {
          const fresh = s !== socket;
          if (!opts.xclient) return resolve({ ok: true, conn: BackendConnection.adopt(s, lease, fresh ? new ReplyParser() : parser, fresh ? [] : replies, route), greeting });
          const outcome = await xclientToMember(s, fresh ? [] : replies, opts.xclient.spec);
          opts.xclient.onOutcome(outcome, lease.member);
          if (outcome.kind !== 'sent' && opts.xclient.fallback === 'next-member') {
            done = false;
            return fail(`xclient: ${outcome.detail}`, undefined, 'identity');
          }
          resolve({ ok: true, conn: BackendConnection.adopt(s, lease, new ReplyParser(), []), greeting: outcome.kind === 'sent' ? outcome.greeting : greeting });
        })
        .catch((err: Error & { tlsStage?: boolean }) => {
          done = false;
          fail(err.tlsStage ? `server-ssl: ${err.message}` : err.message, err, err.tlsStage ? true : false);
        });
    };
    // A SNAT address this host does not have is this virtual's configuration, not the member's health.
    const bindError = (err: Error) => local !== undefined && ['EADDRNOTAVAIL', 'EINVAL'].includes((err as NodeJS.ErrnoException).code ?? '');
    const onError = (err: Error) => bindError(err) ? fail(err.message, err, 'snat') : (implicitTls && tcpUp && phase === 'connect' ? fail(`server-ssl: ${err.message}`, err, true) : fail(err.message, err));
    const onClose = () => fail(phase === 'connect' ? 'connection closed' : 'closed before greeting');
    if (route) route.to = onData;
    else socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    // A refused connect under a TLS socket is the raw socket's error.
    if (raw && raw !== socket) raw.on('error', (err: Error) => fail(err.message, err, bindError(err) ? 'snat' : false));
  });
}
