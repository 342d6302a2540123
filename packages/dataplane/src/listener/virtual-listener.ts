/**
 * One virtual server: the SMTP sessions of the connections matched to it. In the data plane it
 * claims the shared listening sockets of its port (`ports`) and the matcher hands it its
 * connections (`adopt`); standing alone (tests) it binds its own socket. The profiles decide the protocol: smtps + client-ssl = STARTTLS on the plain port, client-ssl
 * alone = TLS from the first byte, neither = plain SMTP relay. A failure (port in use, key that
 * does not load) rejects listen()/update() and touches no other virtual.
 */
import * as net from 'node:net';
import * as os from 'node:os';
import type { Logger } from 'pino';
import type { ListenerDeps, VirtualListenerApi } from '../contracts';
import type { VirtualSpec, VirtualStats } from '../desired-state';
import { zeroVirtualStats } from '../reconcile/virtual-stats';
import { SESSION_DEFAULTS, type SessionConfig, type TlsMode } from '../session/session-config';
import type { DeadlineConfig } from '../session/deadlines';
import type { SessionFootprint } from '../session/session-base';
import { SmtpSession } from '../session/smtp-session';
import { sourceChooser } from '../session/source-address';
import { sessionPersistence, type PersistenceService } from '../persist/persistence';
import { ClientTls } from './client-tls';
import { buildMemberContext } from './secure-context';
import { Admission, type AdmissionPolicy, type Refusal, type Ticket } from './admission';
import { RateWindows } from './rate-windows';
import type { BindError, PortSockets } from './port-sockets';
import { sameMatchRule } from './virtual-matcher';
import { turnAway } from './refusal';

/** Knobs beyond the shared contract, for tests and for operators who need them. */
export interface ListenerOptions extends ListenerDeps {
  /** Name in the proxy's own 421 replies; defaults to the machine's host name. */
  hostname?: string;
  session?: Partial<Pick<SessionConfig, 'maxLine' | 'maxAuthLine' | 'maxErrors' | 'smugglingGuard' | 'maxInFlight' | 'maxMessageSize'>> & {
    /** Progress deadlines; each absent one keeps its default (SESSION_DEFAULTS.deadlines). */
    deadlines?: Partial<DeadlineConfig>;
  };
  /** Session ticket keys (48 bytes) shared by every worker; without them no tickets are issued. */
  ticketKeys?: Buffer;
  admission?: AdmissionOptions;
  /**
   * In a worker: the worker accepts on the primary's sockets and hands matched connections over
   * (`adopt`), so `listen()` binds nothing; it only builds (and so checks) the TLS context.
   * The primary admits (connection, rate and per-source limits), so the listener does not.
   */
  external?: boolean;
  /**
   * The data plane's shared listening sockets: `listen()` claims the sockets this virtual's
   * destination needs there, and connections arrive through the matcher (`adopt`). Without
   * it the listener binds its own socket on its address (a host virtual standing alone: tests).
   */
  ports?: PortSockets;
}

/** Admission beyond the virtual's own knobs (see admission.ts). */
export interface AdmissionOptions {
  /** Concurrent connections per client address per virtual (0 or absent = unlimited). */
  sourceConnectionLimit?: number;
  /** Rate counters shared by every listener of the daemon (keys without `object` span virtuals). */
  rates?: RateWindows;
  /** Clock for the rate windows (tests). */
  clock?: () => number;
  /** Connection counts per virtual address, shared by every listener (virtual address connection-limit). */
  addressCounts?: Map<string, number>;
}

/** Builds (and so checks) the TLS a virtual needs, throwing the errors `listen()` would: for the primary, which holds the socket but runs no session. */
export function checkListenerTls(spec: VirtualSpec): void {
  if (spec.clientSsl) ClientTls.build(spec.name, spec.clientSsl, spec.sniProfiles);
  if (spec.serverSsl) buildMemberContext(spec.serverSsl);
}

/** A bind or accept failure, with Node's code (EADDRINUSE, EACCES...) kept. */
export class ListenError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'ListenError';
  }

  /** The error for a virtual whose shared sockets cannot listen (PortSockets names the socket). */
  static fromBind(spec: VirtualSpec, err: unknown): unknown {
    const e = err as BindError;
    return e?.name === 'BindError' ? new ListenError(`Virtual server (${spec.name}) ${e.message}.`, e.code) : err;
  }

  /** The error for a virtual whose socket cannot listen (the primary's acceptor says the same). */
  static from(spec: VirtualSpec, err: NodeJS.ErrnoException): ListenError {
    const where = net.isIPv6(spec.address) ? `[${spec.address}]:${spec.port}` : `${spec.address}:${spec.port}`;
    const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
    return new ListenError(`Virtual server (${spec.name}) cannot listen on ${where}: ${why}.`, err.code);
  }
}

export const emptyVirtualStats = zeroVirtualStats;

/** The ticket of a connection admitted elsewhere (the primary). */
const UNCOUNTED: Ticket = { release: () => undefined };

const REFUSAL_COUNTER = {
  'connection-limit': 'connectionLimitRejected',
  'source-limit': 'sourceLimitRejected',
  'rate-limit': 'rateLimitRejected',
} as const satisfies Record<Refusal, keyof VirtualStats>;

export class VirtualListener implements VirtualListenerApi {
  readonly stats: VirtualStats = emptyVirtualStats();
  private current: VirtualSpec;
  private config: SessionConfig | undefined;
  private server: net.Server | undefined;
  private readonly sessions = new Set<SmtpSession>();
  private readonly idle: Array<() => void> = [];
  private readonly log: Logger;
  private readonly hostname: string;
  private readonly admission: Admission;
  private nextId = 0;
  private draining = false;
  private ticketKeys: Buffer | undefined;
  /** Why this virtual's addresses may not reach the host (shown in status), from claiming its sockets. */
  notice: string | undefined;

  constructor(spec: VirtualSpec, private readonly deps: ListenerOptions) {
    this.current = spec;
    this.hostname = deps.hostname ?? os.hostname();
    this.log = deps.logger.child({ virtual: spec.name });
    this.ticketKeys = deps.ticketKeys;
    this.admission = new Admission(this.policy(spec), deps.admission?.rates ?? new RateWindows(), deps.admission?.clock, deps.admission?.addressCounts);
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

  /** What each running session holds (fuzzer, diagnostics). */
  footprints(): SessionFootprint[] {
    return [...this.sessions].map((s) => s.footprint());
  }

  /** Sockets the listener holds open: sessions, and refused connections not yet closed. */
  openConnections(): Promise<number> {
    const server = this.server;
    if (!server) return Promise.resolve(0);
    return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  }

  /** Where the listener is bound (its port when the spec asked for port 0). */
  address(): net.AddressInfo {
    const a = this.deps.ports ? this.deps.ports.address(this.current.address, this.current.port) : this.server?.address();
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
    if (this.deps.external) {
      this.config = config;
      return Promise.resolve();
    }
    const ports = this.deps.ports;
    if (ports) {
      return ports.claim(this, spec).then(
        (notice) => {
          this.config = config;
          this.notice = notice;
          if (notice) this.log.warn({ notice }, `Virtual ${spec.name}: ${notice}`);
          this.log.info({ address: spec.address, prefix: spec.prefix, port: spec.port, mode: config.tlsMode }, 'virtual server listening');
        },
        (err: unknown) => {
          throw ListenError.fromBind(spec, err);
        },
      );
    }
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true }, (sock) => this.accept(sock));
      const onError = (err: NodeJS.ErrnoException) => {
        server.close();
        reject(ListenError.from(spec, err));
      };
      server.once('error', onError);
      server.listen({ host: spec.address, port: spec.port }, () => {
        server.removeListener('error', onError);
        server.on('error', (err) => this.log.error({ err }, 'listener error'));
        this.server = server;
        this.config = config;
        this.log.info({ address: spec.address, port: this.address().port, mode: config.tlsMode }, 'virtual server listening');
        resolve();
      });
    });
  }

  update(spec: VirtualSpec): void {
    if (!sameMatchRule(spec, this.current)) {
      throw new Error(`Virtual server (${spec.name}): a new destination needs a new listener.`);
    }
    const config = this.prepare(spec);
    this.current = spec;
    this.config = config;
    this.admission.configure(this.policy(spec));
    this.log.info({ mode: config.tlsMode }, 'virtual server updated; new sessions use the new configuration');
  }

  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    const server = this.server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : this.deps.ports ? this.deps.ports.release(this) : Promise.resolve();
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

  private policy(spec: VirtualSpec): AdmissionPolicy {
    return {
      virtual: spec.name,
      connectionLimit: spec.connectionLimit,
      ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
      sourceLimit: this.deps.admission?.sourceConnectionLimit ?? 0,
      ...(spec.addressLimit ? { addressLimit: spec.addressLimit } : {}),
    };
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
      ...(spec.smtps?.clientIdentity ? { clientIdentity: spec.smtps.clientIdentity } : {}),
      ...(spec.smtps?.xclientFallback ? { xclientFallback: spec.smtps.xclientFallback } : {}),
      ...(spec.snat ? { sourceAddress: sourceChooser(spec.snat)! } : {}),
      ...persistenceOf(spec, this.deps.persistence),
      maxInFlight: s.maxInFlight ?? SESSION_DEFAULTS.maxInFlight,
      maxMessageSize: s.maxMessageSize ?? SESSION_DEFAULTS.maxMessageSize,
      deadlines: { ...SESSION_DEFAULTS.deadlines, ...definedOnly(s.deadlines) },
    };
  }

  /** A connection accepted elsewhere (the primary) for this virtual: run its session here. */
  adopt(sock: net.Socket): void {
    this.accept(sock);
  }

  /** The connection handler: a fault in one connection closes it, logged, and never the listener or the process. */
  private accept(sock: net.Socket): void {
    try {
      this.admit(sock);
    } catch (err) {
      this.log.error({ err }, 'fault accepting a connection; closing it');
      sock.destroy();
    }
  }

  private admit(sock: net.Socket): void {
    const config = this.config;
    sock.on('error', () => undefined);
    if (!config || this.draining) {
      sock.destroy();
      return;
    }
    // In a worker the primary has admitted the connection already, with exact counts (primary-admission.ts).
    const ticket = this.deps.external ? UNCOUNTED : this.admission.admit(sock);
    if (typeof ticket === 'string') return this.refuse(sock, config, ticket);
    const st = this.stats;
    let session: SmtpSession;
    try {
      session = new SmtpSession(sock, config, {
        selector: this.deps.selector,
        logger: this.log,
        stats: st,
        onClosed: () => {
          ticket.release();
          this.sessions.delete(session);
          if (this.sessions.size === 0) this.idle.splice(0).forEach((f) => f());
        },
      }, String(++this.nextId));
    } catch (err) {
      // No session, so no close handler: give the admission slot back here.
      ticket.release();
      throw err;
    }
    // Counted once the session exists: from here its close handler undoes the count.
    st.clientCurConns++;
    st.clientTotConns++;
    if (st.clientCurConns > st.clientMaxConns) st.clientMaxConns = st.clientCurConns;
    this.sessions.add(session);
    session.begin();
  }

  /** Turned away before anything else happens on the socket (refusal.ts says how). */
  private refuse(sock: net.Socket, config: SessionConfig, why: Refusal): void {
    this.stats[REFUSAL_COUNTER[why]]++;
    if (this.log.isLevelEnabled('debug')) this.log.debug({ remote: sock.remoteAddress, why }, 'connection refused by admission');
    turnAway(sock, config.tlsMode === 'implicit', config.hostname);
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

function persistenceOf(spec: VirtualSpec, service: PersistenceService | undefined): Pick<SessionConfig, 'persistence'> {
  const persistence = sessionPersistence(spec, service);
  return persistence ? { persistence } : {};
}

/** The set fields of a partial (an explicit undefined must not erase a default). */
function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return o ? (Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>) : {};
}
