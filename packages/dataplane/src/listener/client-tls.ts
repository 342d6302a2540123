/**
 * The client side's TLS for one virtual: its client-ssl profiles as contexts, the SNI choice
 * between them, the session-ID cache, and the client-certificate verdict after the handshake.
 *
 * OpenSSL fixes the handshake's settings (protocols, ciphers, whether a client certificate is
 * asked for, the session cache) from the context the connection starts with, before the client's
 * name is read; the name only swaps the certificate and the CA store. So those settings come from
 * the SNI default profile, and a virtual whose profiles differ in them is refused rather than
 * half-applied.
 */
import { EventEmitter } from 'node:events';
import type * as tls from 'node:tls';
import { ConfigError, ErrorCodes } from '@openltm/model';
import type { ClientSslSpec } from '../desired-state';
import { buildSecureContext } from './secure-context';
import { SessionCache } from './session-cache';

/** Settings OpenSSL takes from the first context only (see above). */
const HANDSHAKE_SETTINGS: ReadonlyArray<[string, (s: ClientSslSpec) => unknown]> = [
  ['ciphers', (s) => s.ciphers],
  ['options', (s) => [...s.options].sort().join(' ')],
  ['peer-cert-mode', (s) => s.peerCertMode ?? 'ignore'],
  // A resumed session skips the name choice: trust must not depend on the name.
  ['ca-file', (s) => s.caFile ?? ''],
  ['crl-file', (s) => s.crlFile ?? ''],
  ['authenticate-depth', (s) => s.authenticateDepth ?? 9],
  ['handshake-timeout', (s) => s.handshakeTimeout],
  ['cache-size', (s) => s.cacheSize ?? 262144],
  ['cache-timeout', (s) => s.cacheTimeout ?? 3600],
  ['session-ticket', (s) => s.sessionTicket ?? false],
];

/** What the client presented, and whether it verified, for the log and `show`. */
export interface ClientCertVerdict {
  presented: boolean;
  subject?: string;
  issuer?: string;
  /** OpenSSL's verdict plus authenticate-depth; `ok` or the reason (`CERT_REVOKED`, ...). */
  result: string;
  /** peer-cert-mode require and the result is not ok: the session must not go on. */
  refuse: boolean;
}

export interface HandshakeFacts {
  profile: string;
  servername?: string;
  resumed: boolean;
  clientCert?: ClientCertVerdict;
}

interface Profile {
  spec: ClientSslSpec;
  context: tls.SecureContext;
}

/** The internal handle method node itself uses to read OpenSSL's verify result. */
type VerifyHandle = { verifyError?: () => (Error & { code?: string }) | null };

/**
 * TLS contexts by spec object: virtuals on one profile get one spec object from the daemon's
 * reader (kept while the profile and its files are unchanged), so 10,000 virtuals on one profile
 * parse its key once, not 10,000 times. Sessions are not shared by this: node keeps no session
 * cache in the context; each ClientTls keeps its own (above).
 */
const contexts = new WeakMap<ClientSslSpec, Map<boolean, { context: tls.SecureContext; ticketKeys?: Buffer }>>();

function sharedContext(spec: ClientSslSpec, ticketKeys: Buffer | undefined, withoutCertificate: boolean): tls.SecureContext {
  let byKind = contexts.get(spec);
  if (!byKind) contexts.set(spec, (byKind = new Map()));
  const known = byKind.get(withoutCertificate);
  const sameKeys = known && (known.ticketKeys === ticketKeys || (!!known.ticketKeys && !!ticketKeys && known.ticketKeys.equals(ticketKeys)));
  if (known && sameKeys) return known.context;
  const context = buildSecureContext(spec, { ticketKeys, ...(withoutCertificate ? { withoutCertificate: true } : {}) });
  byKind.set(withoutCertificate, { context, ...(ticketKeys ? { ticketKeys } : {}) });
  return context;
}

export class ClientTls {
  private readonly sessions: SessionCache | undefined;
  private readonly sessionEvents: EventEmitter | undefined;

  private constructor(
    readonly defaultProfile: ClientSslSpec,
    private readonly profiles: Profile[],
    /** Where every handshake starts: the default profile, or no certificate at all under sni-require. */
    private readonly initial: tls.SecureContext,
    private readonly defaultContext: tls.SecureContext,
  ) {
    const size = defaultProfile.cacheSize ?? 262144;
    const timeout = defaultProfile.cacheTimeout ?? 3600;
    if (size > 0 && timeout > 0) {
      this.sessions = new SessionCache(size, timeout * 1000);
      // node's TLSSocket asks its `server` for stored sessions: this emitter is that server.
      const events = new EventEmitter();
      events.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
        // TLS 1.3 offers a cached session as a PSK identity, which node's lookup never sees:
        // storing it would only push TLS 1.2 sessions out. TLS 1.3 resumes with tickets.
        if (!isTls13Session(data)) this.sessions!.set(id, data);
        done();
      });
      events.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => done(null, this.sessions!.get(id) ?? null));
      this.sessionEvents = events;
    }
  }

  /** Contexts for a virtual's profiles; throws a ConfigError naming what cannot be honoured. */
  static build(virtual: string, defaultProfile: ClientSslSpec, others: readonly ClientSslSpec[] = [], ticketKeys?: Buffer): ClientTls {
    for (const spec of [defaultProfile, ...others]) checkProfile(spec);
    for (const other of others) {
      for (const [setting, read] of HANDSHAKE_SETTINGS) {
        if (read(other) !== read(defaultProfile)) {
          throw new ConfigError(
            ErrorCodes.CONFIG_ERROR,
            `Client SSL profile (${other.name}) on Virtual Server (${virtual}) differs from the SNI default profile (${defaultProfile.name}) in ${setting}: ` +
              `the handshake settings (${HANDSHAKE_SETTINGS.map(([n]) => n).join(', ')}) are taken from the SNI default profile for every name.`,
          );
        }
      }
    }
    const profiles = [defaultProfile, ...others].map((spec) => ({ spec, context: sharedContext(spec, ticketKeys, false) }));
    const defaultContext = profiles[0].context;
    const initial = defaultProfile.sniRequire ? sharedContext(defaultProfile, ticketKeys, true) : defaultContext;
    return new ClientTls(defaultProfile, profiles, initial, defaultContext);
  }

  /** The profile serving `servername`: an exact name first, then a `*.` wildcard for one label. */
  match(servername: string | undefined): ClientSslSpec | undefined {
    return servername ? this.matchProfile(servername)?.spec : undefined;
  }

  private matchProfile(servername: string): Profile | undefined {
    const name = servername.toLowerCase().replace(/\.$/, '');
    const exact = this.profiles.find((p) => p.spec.serverName?.toLowerCase() === name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    if (dot <= 0) return undefined;
    const parent = name.slice(dot);
    return this.profiles.find((p) => p.spec.serverName?.toLowerCase() === `*${parent}`);
  }

  /**
   * Options for one server-side TLSSocket. A name that matches no profile keeps the starting
   * context: the default profile's certificate, or none under sni-require, so OpenSSL ends the
   * handshake with an alert (the same happens to a client that sends no name at all).
   */
  socketOptions(): { options: tls.TLSSocketOptions; chosen: () => ClientSslSpec | undefined } {
    const mode = this.defaultProfile.peerCertMode ?? 'ignore';
    let chosen: ClientSslSpec | undefined;
    const options: tls.TLSSocketOptions = {
      isServer: true,
      secureContext: this.initial,
      requestCert: mode !== 'ignore',
      // With require, OpenSSL itself fails a handshake that brings no certificate.
      rejectUnauthorized: mode === 'require',
      // One profile and no sni-require: every name gets the same context, and served() finds the
      // profile without the callback, which would cost each handshake a pause into JavaScript.
      ...(this.profiles.length === 1 && !this.defaultProfile.sniRequire
        ? {}
        : {
            SNICallback: (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => {
              const p = this.matchProfile(servername);
              if (p) chosen = p.spec;
              cb(null, p ? p.context : this.initial);
            },
          }),
      ...(this.sessionEvents ? { server: this.sessionEvents as unknown as tls.TLSSocketOptions['server'] } : {}),
    };
    return { options, chosen: () => chosen };
  }

  /**
   * The profile that served a finished handshake. A resumed session skips OpenSSL's certificate
   * callback (and so the SNI callback), and node cannot tell the name of a resumed TLS 1.2
   * session: the name decides when it is known. A session only exists on this virtual if a full
   * handshake passed sni-require, so a resumed one is let through; client-certificate trust is the
   * same on every profile of a virtual (and part of the session context), so the verdict is too.
   */
  served(picked: ClientSslSpec | undefined, servername: string | undefined, resumed: boolean): ClientSslSpec | undefined {
    return picked ?? this.match(servername) ?? (this.defaultProfile.sniRequire && !resumed ? undefined : this.defaultProfile);
  }

  /** After the handshake: which profile served it and what the client certificate proved. */
  facts(sock: tls.TLSSocket, profile: ClientSslSpec): HandshakeFacts {
    const servername = typeof sock.servername === 'string' ? sock.servername : undefined;
    const facts: HandshakeFacts = { profile: profile.name, resumed: sock.isSessionReused(), ...(servername ? { servername } : {}) };
    const mode = profile.peerCertMode ?? 'ignore';
    if (mode !== 'ignore') facts.clientCert = clientCertVerdict(sock, profile);
    return facts;
  }

  /** New ticket keys (rotation): every context of this virtual encrypts and decrypts with them. */
  setTicketKeys(keys: Buffer): void {
    if (!this.defaultProfile.sessionTicket) return;
    const seen = new Set<tls.SecureContext>();
    for (const ctx of [this.initial, this.defaultContext, ...this.profiles.map((p) => p.context)]) {
      if (seen.has(ctx)) continue;
      seen.add(ctx);
      (ctx.context as { setTicketKeys(k: Buffer): void }).setTicketKeys(keys);
    }
  }

  get cachedSessions(): number {
    return this.sessions?.size ?? 0;
  }
}

/**
 * Reads the protocol version of a DER SSL_SESSION: SEQUENCE { INTEGER version, INTEGER
 * ssl_version, ... }, ssl_version 0x0304 for TLS 1.3 (OpenSSL's ssl/ssl_asn1.c).
 */
export function isTls13Session(der: Buffer): boolean {
  if (der[0] !== 0x30) return false;
  let i = 1;
  const len = der[i++];
  if (len & 0x80) i += len & 0x7f;
  if (der[i] !== 0x02) return false;
  i += 2 + der[i + 1];
  if (der[i] !== 0x02) return false;
  const n = der[i + 1];
  return n === 2 && der[i + 2] === 0x03 && der[i + 3] === 0x04;
}

function checkProfile(spec: ClientSslSpec): void {
  if (spec.peerCertMode === 'require' && !spec.caFile) {
    throw new ConfigError(
      ErrorCodes.CONFIG_ERROR,
      `Client SSL profile (${spec.name}) has peer-cert-mode require without a ca-file: there is no CA to verify client certificates against.`,
    );
  }
}

/** OpenSSL's verification (CA, CRL, validity) plus authenticate-depth, which node does not expose. */
function clientCertVerdict(sock: tls.TLSSocket, profile: ClientSslSpec): ClientCertVerdict {
  const cert = sock.getPeerCertificate(true);
  const required = profile.peerCertMode === 'require';
  if (!cert || Object.keys(cert).length === 0) {
    return { presented: false, result: 'no certificate', refuse: required };
  }
  const subject = dn(cert.subject);
  const issuer = dn(cert.issuer);
  const handle = (sock as unknown as { _handle?: VerifyHandle })._handle;
  const err: (Error & { code?: string }) | null = handle?.verifyError ? handle.verifyError() : new Error('verification result unavailable');
  let result = err ? (err.code ?? err.message) : 'ok';
  if (result === 'ok') {
    const intermediates = chainIntermediates(cert);
    const depth = profile.authenticateDepth ?? 9;
    if (intermediates > depth) result = `chain has ${intermediates} intermediate CAs, more than authenticate-depth ${depth}`;
  }
  return { presented: true, subject, issuer, result, refuse: required && result !== 'ok' };
}

/** CAs between the leaf and the self-signed trust anchor, as node walked them. */
function chainIntermediates(leaf: tls.DetailedPeerCertificate): number {
  let n = 0;
  let cur = leaf;
  const seen = new Set<string>([leaf.fingerprint256]);
  while (cur.issuerCertificate && !seen.has(cur.issuerCertificate.fingerprint256)) {
    cur = cur.issuerCertificate;
    seen.add(cur.fingerprint256);
    n++;
  }
  // The last one walked is the anchor (self-issued); it does not count as an intermediate.
  return Math.max(0, n - 1);
}

function dn(name: tls.Certificate | undefined): string | undefined {
  if (!name) return undefined;
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(',');
}
