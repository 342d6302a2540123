import type { Logger } from 'pino';
import type { MemberStats } from '@openltm/model';
import type { BackendLease, MemberPreference } from '../contracts';
import type { MemberSpec, PoolSpec } from '../desired-state';
import type { MemberHealth } from '../monitor/member-health';
import type { MemberView, SelectionState } from './member-view';
import { initialSelectionState } from './member-view';
import { selectMember } from './select-member';
import { recentResponse, sampleResponse, type ResponseTime } from './response-time';

/** A member as it runs: its spec, cumulative counters and current health. */
export interface MemberRuntime {
  spec: MemberSpec;
  stats: MemberStats;
  health: MemberHealth;
  /** Backend connections that failed (connect error, no greeting) since start. */
  connectFailures: number;
  /** Log rate limit for connection failures: when the last line was written, and how many since. */
  failureLoggedAt?: number;
  failuresUnlogged?: number;
  /**
   * Marked down passively (inband, like nginx's max_fails=1 or BIG-IP's inband monitor): a
   * connection to it failed at `at` (ms since epoch). Cleared by its monitor (see PoolSet).
   */
  passive?: { at: number; reason: string };
  /** Application response time (ms to the greeting), smoothed, and when it was last sampled. */
  response?: ResponseTime;
}

/** A dead member can fail thousands of connections a second before its monitor notices; log one line a second. */
const FAILURE_LOG_INTERVAL_MS = 1000;

/** The health a member shows and is chosen by: its monitor's, overlaid by a passive mark-down. */
export function effectiveHealth(m: MemberRuntime): MemberHealth {
  if (!m.passive || !m.health.usable) return m.health;
  return {
    ...m.health,
    availability: 'offline',
    reason: `Pool member has been marked down after a failed connection (${m.passive.reason}); waiting for its monitor`,
  };
}

export const zeroMemberStats = (): MemberStats => ({ curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 });

/**
 * One pool as it runs: its members' counters and the load-balancing memory. `acquire` leases a
 * member for one backend connection; the lease counts the connection until it is released.
 */
export class PoolRuntime {
  members: MemberRuntime[] = [];
  private selection: SelectionState = initialSelectionState;

  constructor(
    public spec: PoolSpec,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes a new spec. Members that stay (matched by name) are the same objects, updated in
   * place: leases in flight hold them, so their counters, failure accounting, log rate limit
   * and passive mark all carry over.
   */
  configure(spec: PoolSpec, health: (m: MemberSpec) => MemberHealth): void {
    const old = new Map(this.members.map((m) => [m.spec.name, m]));
    this.spec = spec;
    this.members = spec.members.map((s) => {
      const prev = old.get(s.name);
      if (!prev) return { spec: s, stats: zeroMemberStats(), health: health(s), connectFailures: 0 };
      prev.spec = s;
      prev.health = health(s);
      return prev;
    });
  }

  /**
   * A lease on the member the mode chooses, skipping the members in `tried`. `nodeConns`:
   * connections to a node (address) from every pool, for the -node modes.
   */
  acquire(tried?: ReadonlySet<string>, nodeConns?: (address: string) => number, prefer?: MemberPreference): BackendLease | undefined {
    const views: MemberView[] = this.members.map((m) => ({
      name: m.spec.name,
      ratio: m.spec.ratio,
      priorityGroup: m.spec.priorityGroup,
      connectionLimit: m.spec.connectionLimit,
      curConns: m.stats.curConns,
      usable: m.health.usable,
      persistable: m.health.persistable,
      passiveDown: m.passive !== undefined,
      responseMs: recentResponse(m.response, this.now()),
      ...(nodeConns ? { node: { conns: nodeConns(m.spec.address), ratio: m.spec.nodeRatio ?? 1 } } : {}),
    }));
    const { chosen, state } = selectMember({
      mode: this.spec.loadBalancingMode,
      minActiveMembers: this.spec.minActiveMembers,
      members: views,
      state: this.selection,
      ...(tried ? { tried } : {}),
      ...(prefer ? { prefer } : {}),
    });
    this.selection = state;
    if (chosen === undefined) return undefined;
    return this.lease(this.members[chosen]);
  }

  private lease(member: MemberRuntime): BackendLease {
    const { stats } = member;
    stats.curConns++;
    stats.totConns++;
    stats.maxConns = Math.max(stats.maxConns, stats.curConns);
    let released = false;
    const pool = this.spec.name;
    const { logger, now: clock } = this;
    return {
      pool,
      member: member.spec.name,
      address: member.spec.address,
      port: member.spec.port,
      stats,
      failed(reason: string): void {
        member.connectFailures++;
        const now = clock();
        if (!member.passive) {
          member.passive = { at: now, reason };
          logger.warn(
            { pool, member: member.spec.name, reason },
            `Pool ${pool} member ${member.spec.name} marked down after a failed connection (${reason}); new sessions go to other members until its monitor sees it up`,
          );
        } else {
          member.passive.at = now;
        }
        if (member.failureLoggedAt !== undefined && now - member.failureLoggedAt < FAILURE_LOG_INTERVAL_MS) {
          member.failuresUnlogged = (member.failuresUnlogged ?? 0) + 1;
          return;
        }
        const more = member.failuresUnlogged ? ` (${member.failuresUnlogged} more since the last report)` : '';
        member.failureLoggedAt = now;
        member.failuresUnlogged = 0;
        logger.warn({ pool, member: member.spec.name, reason, failures: member.connectFailures }, `Pool ${pool} member ${member.spec.name} connection failed: ${reason}${more}`);
      },
      responded(ms: number): void {
        member.response = sampleResponse(member.response, ms, clock());
      },
      release(): void {
        // Exactly once, whatever the session's error paths do.
        if (released) return;
        released = true;
        stats.curConns--;
      },
    };
  }
}
