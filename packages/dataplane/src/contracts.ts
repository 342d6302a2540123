/**
 * The seam between the per-virtual listener (SMTP sessions, TLS) and the rest of the data plane
 * (reconciler, pools, monitors, statistics). Listeners know nothing of pools beyond this.
 */
import type { Logger } from 'pino';
import type { VirtualSpec, VirtualStats, MemberStats } from './desired-state';
import type { PersistenceService } from './persist/persistence';

/** A member chosen for one session. Release it exactly once when the backend connection ends. */
export interface BackendLease {
  pool: string;
  /** `/Common/10.0.0.11:25` */
  member: string;
  address: string;
  port: number;
  /** Per-member counters the session adds its bytes to. */
  stats: MemberStats;
  /** The backend connection failed (connect error or no greeting): counts against the member. */
  failed(reason: string): void;
  /** The member greeted `ms` after the connection began (its application response time). */
  responded?(ms: number): void;
  release(): void;
}

/** A member a persistence record names: chosen when it may take the session. */
export interface MemberPreference {
  member: string;
  /** `override-connection-limit`: chosen even at its connection limit. */
  overrideLimit: boolean;
}

/** Chooses a pool member for a new backend connection. */
export interface BackendSelector {
  /**
   * A lease on a member that may take a new session, or undefined when none can
   * (all down, disabled, at their connection limit, or in `tried`): the client then gets `421 4.3.2`.
   * `tried` names the members this session already failed to reach; none of them is returned.
   * `prefer` (persistence) is returned when it is in the pool and may take the session.
   */
  acquire(pool: string, tried?: ReadonlySet<string>, prefer?: MemberPreference): BackendLease | undefined;
}

/** What a listener needs from its surroundings. */
export interface ListenerDeps {
  selector: BackendSelector;
  /** Where persistence records live (this process's table, or the primary's over IPC). */
  persistence?: PersistenceService;
  logger: Logger;
  /** Timeouts in ms; defaults apply where absent. */
  timeouts?: {
    backendConnect?: number;
    backendGreeting?: number;
    /** How long a disabled/deleted virtual lets running sessions finish before `421` and close. */
    drain?: number;
  };
}

/**
 * One running virtual server: a net.Server on its destination plus the sessions it accepted.
 * Implemented in listener/virtual-listener.ts.
 */
export interface VirtualListenerApi {
  readonly name: string;
  /** The spec new sessions use. Running sessions keep the spec they started with. */
  readonly spec: VirtualSpec;
  readonly stats: VirtualStats;
  readonly activeSessions: number;
  /** Set once listening when the virtual's addresses cannot reach this host (not local, no AnyIP route): shown in status. */
  readonly notice?: string;
  /** Bind and accept. Rejects (and holds no socket) on EADDRINUSE, a key that does not load, a bad cipher string. */
  listen(): Promise<void>;
  /** Swap the spec for new sessions (same address:port). Throws, leaving the old spec serving, if the new TLS context cannot be built. */
  update(spec: VirtualSpec): void;
  /** New TLS session ticket keys (rotation); listeners without TLS ignore them. */
  setTicketKeys?(keys: Buffer): void;
  /** Stop accepting; let sessions finish up to `timeoutMs`, then send `421` and close them. */
  drain(timeoutMs: number): Promise<void>;
}
