/**
 * What the data plane is told to run. The cli's daemon builds this from the store (effective
 * values, `defaults-from` resolved, PEMs loaded); the data plane never imports the store.
 * Everything is plain data so that `diff(desired, actual)` can compare it.
 */

export type ActivationMode = 'none' | 'allow' | 'require';
/** smtps `client-identity`. none: members see the proxy; proxy-v1/v2: a PROXY protocol header opens each member connection. */
export type ClientIdentity = 'none' | 'xclient' | 'proxy-v1' | 'proxy-v2';
/** smtps `xclient-fallback`: a member that does not take XCLIENT is skipped, or used without it. */
export type XclientFallback = 'next-member' | 'relay';

export interface CertKeyPair {
  /** PEM certificate, followed by its chain if any. */
  cert: string;
  /** PEM private key. Never logged. */
  key: string;
  /** Passphrase of an encrypted key. Never logged. */
  passphrase?: string;
}

export interface ClientSslSpec {
  /** Full path of the client-ssl profile (`/Common/my_cssl`). */
  name: string;
  certKeyChain: CertKeyPair[];
  /** OpenSSL cipher string. */
  ciphers: string;
  /** BIG-IP option words: `no-tlsv1`, `no-tlsv1.1`, `no-tlsv1.3`, `cipher-server-preference`, ... */
  options: string[];
  /** Seconds allowed for the TLS handshake (0 = indefinite). */
  handshakeTimeout: number;
  /** SNI name this profile serves (`mail.example.test`, `*.example.test`); undefined = none. */
  serverName?: string;
  /** `sni-default true`: the profile used when no SNI name matches (one per virtual with several). */
  sniDefault?: boolean;
  /** `sni-require true` (read on the SNI default profile): clients must send a name that matches a profile. */
  sniRequire?: boolean;
  /** Whether clients are asked for a certificate (default ignore). */
  peerCertMode?: 'ignore' | 'request' | 'require';
  /** PEM bundle of the CAs client certificates must chain to. */
  caFile?: string;
  /** PEM certificate revocation list(s) checked against the client certificate chain. */
  crlFile?: string;
  /** Most intermediate CAs allowed between the client certificate and a trusted CA (default 9). */
  authenticateDepth?: number;
  /** Session-ID cache entries (0 = no session cache). Default 262144. */
  cacheSize?: number;
  /** Seconds a session (cache entry or ticket) stays resumable. Default 3600. */
  cacheTimeout?: number;
  /** Resumption by session tickets (RFC 5077), encrypted with the data plane's shared ticket keys. */
  sessionTicket?: boolean;
}

/** A server-ssl profile: TLS from the proxy to the pool members. */
export interface ServerSslSpec {
  /** Full path (`/Common/my_serverssl`). */
  name: string;
  /** Client certificate presented to members, if any. */
  certKey?: CertKeyPair;
  ciphers: string;
  options: string[];
  /** SNI name sent to members; when verifying, the name their certificate must carry. */
  serverName?: string;
  /** `require`: members' certificates must chain to `caFile`. */
  peerCertMode: 'ignore' | 'require';
  /** PEM bundle of CAs trusted for member certificates. */
  caFile?: string;
  /** Seconds for the member STARTTLS bridge and handshake (0 = the greeting timeout applies). */
  handshakeTimeout: number;
}

export interface VirtualSpec {
  /** Full path (`/Common/vs_smtp`). */
  name: string;
  enabled: boolean;
  /**
   * The connection-limit of the virtual address (`ltm virtual-address`), shared by every virtual
   * on it: `name` is the counter's key, `limit` the concurrent connections across them.
   */
  addressLimit?: { name: string; limit: number };
  /** Destination address (IPv4 or IPv6, no route domain): a host, or the network address of `prefix`. */
  address: string;
  port: number;
  /**
   * How many leading bits of `address` a connection's local address must share: absent or
   * 32/128 = a host virtual, fewer = a network virtual, 0 = the wildcard (`any:25`).
   */
  prefix?: number;
  /** Client addresses the virtual matches (`source 10.0.0.0/8`); absent = every client. */
  source?: { address: string; prefix: number };
  /** Present when the virtual has an smtps profile. */
  smtps?: { name: string; activationMode: ActivationMode; /** `allow-plaintext-auth enabled`: AUTH may cross before TLS. */ allowPlaintextAuth?: boolean; clientIdentity?: ClientIdentity; xclientFallback?: XclientFallback };
  /** Present when the virtual has a client-ssl profile: the only one, or the SNI default. */
  clientSsl?: ClientSslSpec;
  /** The virtual's other client-ssl profiles, chosen by the name the client sends (SNI). */
  sniProfiles?: ClientSslSpec[];
  /** Present when the virtual has a server-ssl profile: member connections use TLS. */
  serverSsl?: ServerSslSpec;
  /** From the tcp profile: seconds a session may sit idle (0 = indefinite). */
  idleTimeout: number;
  /** Full path of the default pool, if any. */
  pool?: string;
  /** Maximum concurrent client connections (0 = unlimited). */
  connectionLimit: number;
  /** BIG-IP `rate-limit` and its mode and masks; absent = unlimited. */
  rateLimit?: RateLimitSpec;
  /** Source-address persistence (a source-addr profile in `persist` or `fallback-persistence`); absent = none. */
  persist?: PersistSpec;
  /** `source-address-translation`: automap (the address the client reached) or a SNAT pool's addresses in turn; absent = none. */
  snat?: { type: 'automap' } | { type: 'snat'; pool: string; addresses: string[] };
}

/** A virtual's `ltm persistence source-addr` profile, as the data plane acts on it. */
export interface PersistSpec {
  /** Full path of the profile. */
  profile: string;
  /** Seconds a record lives after its last use; 0 = until its member is unavailable. */
  timeout: number;
  /** Netmask applied to the client address to make the key; `none` = the whole address. */
  mask: string;
  matchAcrossPools: boolean;
  matchAcrossServices: boolean;
  matchAcrossVirtuals: boolean;
  /** The persisted member is chosen even at its connection limit. */
  overrideConnectionLimit: boolean;
}

export type RateLimitMode =
  | 'object' | 'object-source' | 'object-destination' | 'object-source-destination'
  | 'source' | 'destination' | 'source-destination';

export interface RateLimitSpec {
  /** New connections per second per key. */
  perSecond: number;
  mode: RateLimitMode;
  /** Prefix lengths applied to the client and the virtual address (0 = the whole address). */
  srcMask: number;
  dstMask: number;
}

export interface MemberSpec {
  /** `/Common/10.0.0.11:25` */
  name: string;
  address: string;
  port: number;
  ratio: number;
  priorityGroup: number;
  connectionLimit: number;
  /** `user-down` forces the member offline. */
  state: 'user-up' | 'user-down';
  /** `user-disabled`: no new sessions. */
  session: 'user-enabled' | 'user-disabled';
  /** The member's own monitor rule, overriding the pool's; undefined = use the pool's. */
  monitor?: MonitorRule;
  /** Moves each time an administrator enables the member: releases a manual-resume hold. */
  resumeToken?: number;
  /** The member's node's `ratio` (ratio-node, ratio-least-connections-node). */
  nodeRatio?: number;
}

/** Which monitors must pass: all of them, or at least `minimum`. Empty = unmonitored. */
export interface MonitorRule {
  monitors: string[];
  minimum: number | 'all';
}

export interface PoolSpec {
  /** `/Common/smtp_pool` */
  name: string;
  loadBalancingMode: string;
  minActiveMembers: number;
  monitor: MonitorRule;
  members: MemberSpec[];
}

export interface MonitorSpec {
  /** `/Common/smtp_mon` */
  name: string;
  type: 'smtp' | 'tcp' | 'http' | 'https' | 'tcp-half-open';
  /** Seconds between probes. */
  interval: number;
  /** Seconds without success before a member is marked down. */
  timeout: number;
  /** HELO domain for smtp monitors. */
  domain?: string;
  /** tcp monitor send/recv strings (undefined = connect only). */
  send?: string;
  recv?: string;
  /** `*:*` or a fixed `addr:port` to probe instead of the member. */
  destination: string;
  /** Seconds between probes while the member is up (`up-interval`; 0 or absent = `interval`). */
  upInterval?: number;
  /** Seconds of uninterrupted success before a down member is marked up (`time-until-up`; 0 or absent = at once). */
  timeUntilUp?: number;
  /** http/https `recv-disable`: a response matching it (and not `recv`) takes the member out of service. */
  recvDisable?: string;
  /** https: the OpenSSL cipher string offered to the member. */
  cipherlist?: string;
  /** tcp `reverse`: a reply matching `recv` marks the member down. */
  reverse?: boolean;
  /** `manual-resume`: a member this monitor marked down stays down until an administrator resumes it. */
  manualResume?: boolean;
}

export interface DesiredState {
  /** The store's configuration generation this snapshot was read at. */
  generation: number;
  virtuals: VirtualSpec[];
  pools: PoolSpec[];
  monitors: MonitorSpec[];
  /**
   * The `delete ltm persistence persist-records` requests the store keeps (recent ones, oldest
   * first): the owner of the persistence table applies each one once (persist-table.ts).
   */
  persistFlushes?: PersistFlush[];
}

/** Where the data plane gets its configuration: the cli wires this to the store. */
export interface DesiredStateSource {
  /** Cheap: the current generation, polled to notice changes. */
  generation(): number;
  /** The whole desired state at the current generation. */
  read(): DesiredState;
  /**
   * Optional: calls `listener` when the configuration may have changed (a hint, so a change is
   * picked up before the next poll); returns the unsubscribe function.
   */
  watch?(listener: () => void): () => void;
}

// ---- What the data plane reports back: the types live in @openltm/model so the store can keep
// them for `show` without importing the data plane.
import type { PersistFlush, StatusReport } from '@openltm/model';
export type { Availability, VirtualStats, VirtualStatus, MemberStats, MemberStatus, StatusReport } from '@openltm/model';

/** Where the data plane writes status and statistics (about once a second). */
export interface StatusSink {
  write(report: StatusReport): void;
}
