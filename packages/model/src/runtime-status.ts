/**
 * Status and statistics the data plane reports and `show` prints. Kept in the model so both the
 * data plane (writer) and the store (keeper, `show`) share one definition.
 */

export type Availability = 'available' | 'offline' | 'unknown';

export interface VirtualStats {
  clientCurConns: number;
  clientMaxConns: number;
  clientTotConns: number;
  clientBytesIn: number;
  clientBytesOut: number;
  starttlsOffered: number;
  starttlsUpgraded: number;
  /** Commands refused with 530 before TLS in require mode. */
  refusedBeforeTls: number;
  tlsHandshakeFailures: number;
  /** Bytes discarded after a STARTTLS line (CVE-2011-0411 class). */
  pipelinedDiscarded: number;
  /** Messages rejected by the SMTP smuggling guard. */
  smugglingBlocked: number;
  /** Clients turned away over the virtual's connection-limit (421, or a reset on implicit TLS). */
  connectionLimitRejected: number;
  /** Client certificates asked for (peer-cert-mode request/require): verified, failed verification, not presented. */
  clientCertValid: number;
  clientCertInvalid: number;
  clientCertNone: number;
  /** Clients turned away over the virtual's rate-limit. */
  rateLimitRejected: number;
  /** Clients turned away over the daemon's per-source connection limit. */
  sourceLimitRejected: number;
  /** Sessions closed by a session deadline: first command, command line, DATA progress, end-of-DATA reply, maximum age. */
  sessionTimeouts: number;
  messages: number;
  /** AUTH refused before TLS (538 in allow mode, 530 in require mode): credentials kept off the wire. */
  authRefusedBeforeTls: number;
  /** Clients that spoke before the greeting or sent a TLS ClientHello before STARTTLS (554, closed). */
  earlyTalkers: number;
  /** smtps client-identity xclient: member connections that took XCLIENT, and those that did not (handled per xclient-fallback). */
  xclientSent?: number;
  xclientFallbacks?: number;
}

export interface VirtualStatus {
  name: string;
  availability: Availability;
  /** `enabled` or `disabled` (the administrative state). */
  state: 'enabled' | 'disabled';
  reason: string;
  stats: VirtualStats;
}

export interface MemberStats {
  curConns: number;
  maxConns: number;
  totConns: number;
  bytesIn: number;
  bytesOut: number;
}

export interface MemberStatus {
  pool: string;
  member: string;
  availability: Availability;
  /**
   * `up`, `down`, `unchecked` (no monitor), `checking` (no result yet), `down-manual-resume`
   * (a manual-resume monitor marked it down; it stays down until an administrator enables it).
   */
  monitorStatus: 'up' | 'down' | 'unchecked' | 'checking' | 'down-manual-resume';
  reason: string;
  stats: MemberStats;
}

/** One persistence record, as `show ltm persistence persist-records` prints it. */
export interface PersistRecordStatus {
  /** `source-address`. */
  mode: string;
  /** The (masked) client address the record is keyed on. */
  value: string;
  /** The virtual that made the record, and its address:port. */
  virtual: string;
  virtualAddr: string;
  pool: string;
  /** The pool member sessions go to (`/Common/10.0.0.11:25`) and its address:port. */
  member: string;
  nodeAddr: string;
  /** The client address that made the record (unmasked). */
  clientAddr: string;
  /** When the record was last used (ms since epoch): its age is measured from here. */
  lastUsed: number;
  /** When the record was made (ms since epoch): a `delete ... persist-records` given later removes it. */
  created: number;
  /** Seconds the record lives after its last use; 0 = until its member is unavailable. */
  timeout: number;
}

export interface StatusReport {
  /** The configuration generation the report reflects. */
  generation: number;
  /** When the report was made (ms since epoch). */
  at: number;
  virtuals: VirtualStatus[];
  members: MemberStatus[];
  /** The process model: worker processes running sessions (0 = one process does everything), and the CPUs. */
  cmp?: { workers: number; cpus: number };
  /** Live persistence records (at most `records.length` of `total` are listed). */
  persistence?: { total: number; records: PersistRecordStatus[] };
  /** Connections reset because no serving virtual matched them, by local port (cumulative since the data plane started). */
  unmatched?: Record<string, number>;
}

