/**
 * Everything one SMTP session needs, fixed when the session starts: a later update() of the
 * virtual changes what new sessions get, never a running one.
 */
import type { ClientIdentity, XclientFallback } from '../desired-state';
import type { SourceChooser } from './source-address';
import type { MemberPersistence } from '../persist/persistence';
import type { ClientTls } from '../listener/client-tls';
import type { MemberTls } from './member-tls';
import type { DeadlineConfig } from './deadlines';

/**
 * How the client hop treats TLS: `none` never offers STARTTLS, `allow` offers it, `require` offers
 * it and refuses mail before it, `implicit` speaks TLS from the first byte (port 465 style).
 */
export type TlsMode = 'none' | 'allow' | 'require' | 'implicit';

export interface SessionConfig {
  /** Name the proxy uses for itself in 421 replies. */
  hostname: string;
  tlsMode: TlsMode;
  /** The client-ssl profiles' contexts; undefined = TLS unavailable (STARTTLS gets 454). */
  clientTls?: ClientTls;
  /** From a server-ssl profile: member connections use TLS. */
  memberTls?: MemberTls;
  pool: string | undefined;
  /** 0 = no limit. */
  idleTimeoutMs: number;
  /** 0 = no limit. */
  handshakeTimeoutMs: number;
  backendConnectTimeoutMs: number;
  backendGreetingTimeoutMs: number;
  maxLine: number;
  maxAuthLine: number;
  /** Protocol errors tolerated before `421 4.7.0 too many errors`. */
  maxErrors: number;
  smugglingGuard: boolean;
  /** smtps `allow-plaintext-auth`: AUTH is advertised and relayed before TLS in allow mode. */
  allowPlaintextAuth: boolean;
  /** smtps `client-identity`: how the client's address reaches members (absent = none). */
  clientIdentity?: ClientIdentity;
  /** source-address-translation: picks the local address of each member connection. */
  sourceAddress?: SourceChooser;
  /** Source-address persistence of the virtual, per client address (absent = none). */
  persistence?: (clientAddress: string) => MemberPersistence;
  /** With `xclient`: what a member that does not take it gets (absent = next-member). */
  xclientFallback?: XclientFallback;
  /** Commands in flight (owed a reply) before the session stops reading more. */
  maxInFlight: number;
  /** Largest BDAT chunk skipped rather than refused with a close (Postfix's message_size_limit). */
  maxMessageSize: number;
  /** Progress deadlines (deadlines.ts). */
  deadlines: DeadlineConfig;
}

export const SESSION_DEFAULTS = {
  backendConnectTimeoutMs: 5000,
  backendGreetingTimeoutMs: 30000,
  maxLine: 2048,
  maxAuthLine: 12288,
  maxErrors: 10,
  smugglingGuard: true,
  maxInFlight: 100,
  maxMessageSize: 10_240_000,
  deadlines: {
    /** Postfix's postscreen and most MTAs greet within seconds; a real client sends EHLO at once. */
    firstCommandMs: 60_000,
    /** RFC 5321 4.5.3.2.7: the server waits 5 minutes for a command. */
    commandMs: 300_000,
    /** Postfix's smtpd_min_data_rate default. */
    minDataRate: 500,
    /** RFC 5321 4.5.3.2.6: a client waits 10 minutes for the reply to the end of DATA. */
    dataEndMs: 600_000,
    maxAgeMs: 3_600_000,
  },
} as const satisfies Partial<SessionConfig>;
