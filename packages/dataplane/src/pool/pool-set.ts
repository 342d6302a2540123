import type { Logger } from 'pino';
import type { Availability, MemberStatus } from '@openltm/model';
import type { BackendLease, BackendSelector, MemberPreference } from '../contracts';
import type { MemberSpec, PoolSpec } from '../desired-state';
import type { CheckState, CheckTarget } from '../monitor/monitor-scheduler';
import { effectiveRule, memberHealth, poolAvailability, type MemberHealth } from '../monitor/member-health';
import { PoolRuntime, effectiveHealth } from './pool-runtime';
import type { MemberRuntime } from './pool-runtime';
import { NODE_MODES, SUPPORTED_MODES } from './select-member';

/** A pool's status; the model's StatusReport has no pool list yet, so the data plane adds one. */
export interface PoolStatus {
  name: string;
  availability: Availability;
  reason: string;
  loadBalancingMode: string;
  /** The mode actually used (`round-robin` for modes not implemented). */
  effectiveMode: string;
  activeMembers: number;
  availableMembers: number;
  totalMembers: number;
}

/** Looks up a monitor's check on a member address:port. */
export type HealthLookup = (monitor: string, address: string, port: number) => CheckState | undefined;

/**
 * How long a passive mark-down holds when no monitor result clears it sooner (nginx's
 * fail_timeout default): a member with no monitor, or whose health reaches a worker only on
 * status changes, is tried again after this; one more failure marks it again at once.
 */
export const PASSIVE_HOLD_MS = 10_000;

/**
 * What the monitors must check: every (monitor, member) pair any rule names. Configure the
 * monitors with this before the pools, so a new member starts as `checking`, not as down.
 */
export function checkTargetsOf(pools: readonly PoolSpec[]): CheckTarget[] {
  const out: CheckTarget[] = [];
  for (const pool of pools) {
    for (const m of pool.members) {
      for (const monitor of effectiveRule(m, pool.monitor).monitors) {
        out.push({ monitor, address: m.address, port: m.port, resume: { member: `${pool.name} ${m.name}`, token: m.resumeToken ?? 0 } });
      }
    }
  }
  return out;
}

/**
 * Every configured pool: the BackendSelector listeners ask for members, and the place member
 * health becomes status and BIG-IP style log lines (`Pool /Common/p member ... monitor status down.`).
 */
export class PoolSet implements BackendSelector {
  private readonly pools = new Map<string, PoolRuntime>();
  private readonly poolAvail = new Map<string, Availability>();

  constructor(
    private readonly logger: Logger,
    private readonly lookup: HealthLookup,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the desired pools; pools and members that stay keep their counters. */
  configure(specs: readonly PoolSpec[]): void {
    const wanted = new Set(specs.map((p) => p.name));
    for (const name of this.pools.keys()) {
      if (!wanted.has(name)) {
        this.pools.delete(name);
        this.poolAvail.delete(name);
      }
    }
    for (const spec of specs) {
      let pool = this.pools.get(spec.name);
      const modeChanged = pool?.spec.loadBalancingMode !== spec.loadBalancingMode;
      if (!pool) {
        pool = new PoolRuntime(spec, this.logger, this.now);
        this.pools.set(spec.name, pool);
      }
      pool.configure(spec, (m) => this.health(spec, m));
      if (modeChanged && !SUPPORTED_MODES.has(spec.loadBalancingMode)) {
        this.logger.warn({ pool: spec.name, mode: spec.loadBalancingMode }, `Pool ${spec.name} load-balancing-mode ${spec.loadBalancingMode} is not implemented; using round-robin`);
      }
    }
    this.refreshHealth(false);
  }

  private health(pool: PoolSpec, m: MemberSpec): MemberHealth {
    return memberHealth(m, pool.monitor, (mon) => this.lookup(mon, m.address, m.port));
  }

  /** What the monitors must check for the configured pools. */
  checkTargets(): CheckTarget[] {
    return checkTargetsOf([...this.pools.values()].map((p) => p.spec));
  }

  /** Re-reads member health from the monitors; logs changes as BIG-IP does. */
  refreshHealth(log = true): void {
    for (const pool of this.pools.values()) {
      for (const m of pool.members) {
        const before = m.health;
        this.settlePassive(pool, m);
        m.health = this.health(pool.spec, m.spec);
        const logged = m.health.monitorStatus === 'up' || m.health.monitorStatus === 'down' || m.health.monitorStatus === 'down-manual-resume';
        if (log && before.monitorStatus !== m.health.monitorStatus && logged) {
          const code = m.health.monitorStatus === 'up' ? '01070727' : '01070638';
          this.logger.info(
            { pool: pool.spec.name, member: m.spec.name, monitorStatus: m.health.monitorStatus },
            `${code}:5: Pool ${pool.spec.name} member ${m.spec.name} monitor status ${m.health.monitorStatus}. [ ${m.health.detail} ]`,
          );
        }
      }
      const avail = poolAvailability(pool.members.map(effectiveHealth)).availability;
      const prev = this.poolAvail.get(pool.spec.name);
      this.poolAvail.set(pool.spec.name, avail);
      if (prev === undefined || prev === avail) continue;
      if (avail === 'offline') this.logger.error({ pool: pool.spec.name }, `01010028:3: No members available for pool ${pool.spec.name}`);
      else if (prev === 'offline') this.logger.info({ pool: pool.spec.name }, `01010221:3: Pool ${pool.spec.name} now has available members`);
    }
  }

  /** A lease on a member of `pool`, never one of `tried` (the members this session already failed to reach). */
  acquire(pool: string, tried?: ReadonlySet<string>, prefer?: MemberPreference): BackendLease | undefined {
    const p = this.pools.get(pool);
    if (!p) return undefined;
    for (const m of p.members) if (m.passive) this.settlePassive(p, m);
    return p.acquire(tried, NODE_MODES.has(p.spec.loadBalancingMode) ? this.nodeConnections() : undefined, prefer);
  }

  /**
   * Lifts a passive mark-down once the member's monitor has seen it up after the failure (a
   * probe succeeded or the check came up since), or once the monitor owns the verdict (down),
   * or after PASSIVE_HOLD_MS without either.
   */
  private settlePassive(pool: PoolRuntime, m: MemberRuntime): void {
    const mark = m.passive;
    if (!mark) return;
    const checks = effectiveRule(m.spec, pool.spec.monitor).monitors.map((mon) => this.lookup(mon, m.spec.address, m.spec.port));
    let why: string | undefined;
    if (checks.some((c) => c?.status === 'down')) why = 'its monitor now reports it';
    else if (checks.length > 0 && checks.every((c) => c?.status === 'up' && ((c.lastSuccessAt ?? 0) > mark.at || c.since > mark.at))) why = 'its monitor saw it up after the failure';
    else if (this.now() - mark.at >= PASSIVE_HOLD_MS) why = `no failure for ${PASSIVE_HOLD_MS / 1000} s`;
    if (!why) return;
    m.passive = undefined;
    this.logger.info({ pool: pool.spec.name, member: m.spec.name }, `Pool ${pool.spec.name} member ${m.spec.name} passive mark-down lifted: ${why}`);
  }

  /** Current connections per node address, summed over the members of every pool. */
  private nodeConnections(): (address: string) => number {
    const byAddress = new Map<string, number>();
    for (const pool of this.pools.values()) {
      for (const m of pool.members) byAddress.set(m.spec.address, (byAddress.get(m.spec.address) ?? 0) + m.stats.curConns);
    }
    return (address) => byAddress.get(address) ?? 0;
  }

  memberStatuses(): MemberStatus[] {
    const out: MemberStatus[] = [];
    for (const pool of this.pools.values()) {
      for (const m of pool.members) {
        this.settlePassive(pool, m);
        const health = effectiveHealth(m);
        out.push({ pool: pool.spec.name, member: m.spec.name, availability: health.availability, monitorStatus: health.monitorStatus, reason: health.reason, stats: { ...m.stats } });
      }
    }
    return out;
  }

  poolStatuses(): PoolStatus[] {
    return [...this.pools.values()].map((pool) => {
      const { availability, reason } = poolAvailability(pool.members.map(effectiveHealth));
      const supported = SUPPORTED_MODES.has(pool.spec.loadBalancingMode);
      return {
        name: pool.spec.name,
        availability,
        reason: supported ? reason : `${reason}; load-balancing-mode ${pool.spec.loadBalancingMode} is not implemented, using round-robin`,
        loadBalancingMode: pool.spec.loadBalancingMode,
        effectiveMode: supported ? pool.spec.loadBalancingMode : 'round-robin',
        activeMembers: pool.members.filter((m) => m.health.usable).length,
        availableMembers: pool.members.filter((m) => effectiveHealth(m).availability === 'available').length,
        totalMembers: pool.members.length,
      };
    });
  }

  /** The pool's availability, for the virtuals that use it. */
  availability(pool: string): { availability: Availability; reason: string } | undefined {
    const p = this.pools.get(pool);
    return p ? poolAvailability(p.members.map(effectiveHealth)) : undefined;
  }
}
