/**
 * One virtual server: a TCP listener on its destination and the SMTP sessions it accepted.
 * The profiles decide the protocol: smtps + client-ssl = STARTTLS on the plain port, client-ssl
 * alone = TLS from the first byte, neither = plain SMTP relay. A failure (port in use, key that
 * does not load) rejects listen()/update() and touches no other virtual.
 */
import * as net from 'node:net';
import * as os from 'node:os';
import type { Logger } from 'pino';
import type { ListenerDeps, VirtualListenerApi } from '../contracts';
import type { VirtualSpec, VirtualStats } from '../desired-state';
import { hostReplies } from '../session/replies';
import { SESSION_DEFAULTS, type SessionConfig, type TlsMode } from '../session/session-config';
import { SmtpSession } from '../session/smtp-session';
import { serverHandshake } from '../session/starttls';
import { ClientTls } from './client-tls';
import { buildMemberContext } from './secure-context';

/** Knobs beyond the shared contract, for tests and for operators who need them. */
export interface ListenerOptions extends ListenerDeps {
  /** Name in the proxy's own 421 replies; defaults to the machine's host name. */
  hostname?: string;
  session?: Partial<Pick<SessionConfig, 'maxLine' | 'maxAuthLine' | 'maxErrors' | 'smugglingGuard' | 'maxInFlight' | 'maxMessageSize'>>;
  /** Session ticket keys (48 bytes) shared by every worker; without them no tickets are issued. */
  ticketKeys?: Buffer;
}

/** A bind or accept failure, with Node's code (EADDRINUSE, EACCES...) kept. */
export class ListenError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'ListenError';
  }
}

export function emptyVirtualStats(): VirtualStats {
  return {
    clientCurConns: 0, clientMaxConns: 0, clientTotConns: 0, clientBytesIn: 0, clientBytesOut: 0,
    starttlsOffered: 0, starttlsUpgraded: 0, refusedBeforeTls: 0, tlsHandshakeFailures: 0,
    pipelinedDiscarded: 0, smugglingBlocked: 0, connectionLimitRejected: 0, messages: 0,
    authRefusedBeforeTls: 0, earlyTalkers: 0,
    clientCertValid: 0, clientCertInvalid: 0, clientCertNone: 0,
  };
}

export class VirtualListener implements VirtualListenerApi {
  readonly stats: VirtualStats = emptyVirtualStats();
  private current: VirtualSpec;
  private config: SessionConfig | undefined;
  private server: net.Server | undefined;
  private readonly sessions = new Set<SmtpSession>();
  private readonly idle: Array<() => void> = [];
  private readonly log: Logger;
  private readonly hostname: string;
  private nextId = 0;
  private draining = false;
  private ticketKeys: Buffer | undefined;

  constructor(spec: VirtualSpec, private readonly deps: ListenerOptions) {
    this.current = spec;
    this.hostname = deps.hostname ?? os.hostname();
    this.log = deps.logger.child({ virtual: spec.name });
    this.ticketKeys = deps.ticketKeys;
  }

  /** Rotated ticket keys: new sessions get tickets under them, and only they are accepted. */
  setTicketKeys(keys: Buffer): void {
    this.ticketKeys = keys;
    this.config?.clientTls?.setTicketKeys(keys);
  }

  get name(): string {
    return this.current.name;
  }

  get spec(): VirtualSpec {
    return this.current;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Where the listener is bound (its port when the spec asked for port 0). */
  address(): net.AddressInfo {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error(`Virtual server (${this.name}) is not listening.`);
    return a;
  }

  listen(): Promise<void> {
    let config: SessionConfig;
    try {
      config = this.prepare(this.current);
    } catch (err) {
      return Promise.reject(err);
    }
    const spec = this.current;
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true }, (sock) => this.accept(sock));
      const onError = (err: NodeJS.ErrnoException) => {
        server.close();
        const where = net.isIPv6(spec.address) ? `[${spec.address}]:${spec.port}` : `${spec.address}:${spec.port}`;
        const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
        reject(new ListenError(`Virtual server (${spec.name}) cannot listen on ${where}: ${why}.`, err.code));
      };
      server.once('error', onError);
      server.listen({ host: spec.address, port: spec.port }, () => {
        server.removeListener('error', onError);
        server.on('error', (err) => this.log.error({ err: err.message }, 'listener error'));
        this.server = server;
        this.config = config;
        this.log.info({ address: spec.address, port: this.address().port, mode: config.tlsMode }, 'virtual server listening');
        resolve();
      });
    });
  }

  update(spec: VirtualSpec): void {
    if (spec.address !== this.current.address || spec.port !== this.current.port) {
      throw new Error(`Virtual server (${spec.name}): a new destination needs a new listener.`);
    }
    const config = this.prepare(spec);
    this.current = spec;
    this.config = config;
    this.log.info({ mode: config.tlsMode }, 'virtual server updated; new sessions use the new configuration');
  }

  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    const server = this.server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    if (this.sessions.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.whenIdle(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs)))),
      ]);
      clearTimeout(timer);
      for (const s of this.sessions) s.shutdown();
    }
    // Sessions close within seconds of their 421; whatever is still there then is dropped.
    if (!(await this.idleWithin(3000))) {
      for (const s of this.sessions) s.destroy();
      await this.idleWithin(1000);
      this.sessions.clear();
    }
    await closed;
    this.log.info('virtual server stopped');
  }

  /** Build what sessions need from a spec; throws a clear error for TLS that does not load. */
  private prepare(spec: VirtualSpec): SessionConfig {
    const clientTls = spec.clientSsl ? ClientTls.build(spec.name, spec.clientSsl, spec.sniProfiles, this.ticketKeys) : undefined;
    const memberTls = spec.serverSsl
      ? {
          profile: spec.serverSsl.name,
          context: buildMemberContext(spec.serverSsl),
          ...(spec.serverSsl.serverName ? { serverName: spec.serverSsl.serverName } : {}),
          verify: spec.serverSsl.peerCertMode === 'require',
          handshakeTimeoutMs: spec.serverSsl.handshakeTimeout * 1000 || (this.deps.timeouts?.backendGreeting ?? SESSION_DEFAULTS.backendGreetingTimeoutMs),
          ehloName: this.hostname,
        }
      : undefined;
    const tlsMode: TlsMode = spec.smtps ? spec.smtps.activationMode : spec.clientSsl ? 'implicit' : 'none';
    const t = this.deps.timeouts ?? {};
    const s = this.deps.session ?? {};
    return {
      hostname: this.hostname,
      tlsMode,
      clientTls,
      ...(memberTls ? { memberTls } : {}),
      pool: spec.pool,
      idleTimeoutMs: spec.idleTimeout * 1000,
      handshakeTimeoutMs: (spec.clientSsl?.handshakeTimeout ?? 0) * 1000,
      backendConnectTimeoutMs: t.backendConnect ?? SESSION_DEFAULTS.backendConnectTimeoutMs,
      backendGreetingTimeoutMs: t.backendGreeting ?? SESSION_DEFAULTS.backendGreetingTimeoutMs,
      maxLine: s.maxLine ?? SESSION_DEFAULTS.maxLine,
      maxAuthLine: s.maxAuthLine ?? SESSION_DEFAULTS.maxAuthLine,
      maxErrors: s.maxErrors ?? SESSION_DEFAULTS.maxErrors,
      smugglingGuard: s.smugglingGuard ?? SESSION_DEFAULTS.smugglingGuard,
      allowPlaintextAuth: spec.smtps?.allowPlaintextAuth ?? false,
      maxInFlight: s.maxInFlight ?? SESSION_DEFAULTS.maxInFlight,
      maxMessageSize: s.maxMessageSize ?? SESSION_DEFAULTS.maxMessageSize,
    };
  }

  private accept(sock: net.Socket): void {
    const config = this.config;
    sock.on('error', () => undefined);
    if (!config || this.draining) {
      sock.destroy();
      return;
    }
    const limit = this.current.connectionLimit;
    if (limit > 0 && this.sessions.size >= limit) return this.refuse(sock, config);
    const st = this.stats;
    st.clientCurConns++;
    st.clientTotConns++;
    if (st.clientCurConns > st.clientMaxConns) st.clientMaxConns = st.clientCurConns;
    const session = new SmtpSession(sock, config, {
      selector: this.deps.selector,
      logger: this.log,
      stats: st,
      onClosed: () => {
        this.sessions.delete(session);
        if (this.sessions.size === 0) this.idle.splice(0).forEach((f) => f());
      },
    }, String(++this.nextId));
    this.sessions.add(session);
    session.start();
  }

  /** Over the connection limit: say so with 421 rather than drop silently (over TLS on 465). */
  private refuse(sock: net.Socket, config: SessionConfig): void {
    this.stats.connectionLimitRejected++;
    const reply = hostReplies(config.hostname).tooManyConnections;
    setTimeout(() => sock.destroy(), 2000).unref();
    if (config.tlsMode === 'implicit' && config.clientTls) {
      serverHandshake(sock, config.clientTls, config.handshakeTimeoutMs || 2000, {
        secure: (tlsSock) => tlsSock.end(reply),
        failed: () => undefined,
      });
      return;
    }
    sock.end(reply);
  }

  private async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([
      this.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return idle;
  }

  private whenIdle(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
