import type { Availability, MemberStatus } from '@openltm/model';
import type { MemberSpec, MonitorRule } from '../desired-state';
import type { CheckState } from './monitor-scheduler';

/** Looks up the check of one monitor on one member (undefined = monitor not configured). */
export type CheckLookup = (monitor: string) => CheckState | undefined;

/** A member's health as `show ltm pool ... members` reports it, and whether it may take sessions. */
export interface MemberHealth {
  monitorStatus: MemberStatus['monitorStatus'];
  availability: Availability;
  reason: string;
  /** May take new sessions (connection limit aside). */
  usable: boolean;
  /**
   * May take sessions of clients persisted to it: as usable, except that a user-disabled member
   * still does (BIG-IP's "disabled": no new clients, persistent ones still served).
   */
  persistable: boolean;
  /** Per-monitor detail for log lines: `/Common/smtp_mon: down; last error: ECONNREFUSED`. */
  detail: string;
}

/**
 * The status of a monitor rule: up when at least the required number of monitors are up
 * (`all`, or `min N of`), down as soon as that can no longer be reached, checking in between.
 * An empty rule is `unchecked`.
 */
export function evaluateRule(rule: MonitorRule, lookup: CheckLookup): { status: MemberStatus['monitorStatus']; detail: string } {
  const n = rule.monitors.length;
  if (n === 0) return { status: 'unchecked', detail: '' };
  const required = rule.minimum === 'all' ? n : Math.max(1, Math.min(rule.minimum, n));
  let up = 0;
  let down = 0;
  const parts: string[] = [];
  for (const name of rule.monitors) {
    const check = lookup(name);
    const status = check?.status ?? 'down';
    if (status === 'up') up++;
    if (status === 'down') down++;
    const error = check ? check.lastError : 'monitor is not configured';
    if (check?.awaitingResume) parts.push(`${name}: down; probes pass, waiting for manual resume`);
    else parts.push(status === 'down' && error ? `${name}: down; last error: ${error}` : `${name}: ${status}`);
  }
  const status = up >= required ? 'up' : down > n - required ? 'down' : 'checking';
  return { status, detail: parts.join(' ; ') };
}

/** The rule that applies to a member: its own when set, else the pool's. */
export function effectiveRule(member: MemberSpec, poolRule: MonitorRule): MonitorRule {
  return member.monitor ?? poolRule;
}

/**
 * Health of one member, in BIG-IP's words: user-down forces it offline; a monitor that is
 * down makes it offline (`down-manual-resume` when only manual-resume holds keep it down); no
 * monitor makes it `unknown`; user-disabled keeps the availability but takes no new sessions.
 * A member still being checked takes sessions: it is the state of a fresh daemon for the few
 * milliseconds before the first probe answers.
 */
export function memberHealth(member: MemberSpec, poolRule: MonitorRule, lookup: CheckLookup): MemberHealth {
  const rule = effectiveRule(member, poolRule);
  const evaluated = evaluateRule(rule, lookup);
  const { detail } = evaluated;
  let { status } = evaluated;
  // Down only because of manual-resume holds: its probes pass, the administrator has not resumed it.
  const passing: CheckLookup = (monitor) => {
    const check = lookup(monitor);
    return check?.awaitingResume ? { ...check, status: 'up' } : check;
  };
  if (status === 'down' && evaluateRule(rule, passing).status !== 'down') status = 'down-manual-resume';
  let availability: Availability;
  let reason: string;
  if (member.state === 'user-down') {
    availability = 'offline';
    reason = 'Pool member has been forced offline by the user';
  } else if (status === 'down-manual-resume') {
    availability = 'offline';
    reason = 'Pool member has been marked down by a monitor and waits for manual resume';
  } else if (status === 'down') {
    availability = 'offline';
    reason = 'Pool member has been marked down by a monitor';
  } else if (status === 'up') {
    availability = 'available';
    reason = 'Pool member is available';
  } else if (status === 'unchecked') {
    availability = 'unknown';
    reason = 'Pool member does not have service checking enabled';
  } else {
    availability = 'unknown';
    reason = 'Pool member is being checked';
  }
  const disabled = member.session === 'user-disabled';
  if (disabled && member.state !== 'user-down') reason += ', user disabled';
  const persistable = member.state !== 'user-down' && status !== 'down' && status !== 'down-manual-resume';
  return { monitorStatus: status, availability, reason, usable: persistable && !disabled, persistable, detail };
}

/** A pool's availability from its members', as BIG-IP derives it. */
export function poolAvailability(members: readonly { availability: Availability }[]): { availability: Availability; reason: string } {
  if (members.length === 0) return { availability: 'unknown', reason: 'The pool has no members' };
  if (members.some((m) => m.availability === 'available')) return { availability: 'available', reason: 'The pool is available' };
  if (members.every((m) => m.availability === 'offline')) return { availability: 'offline', reason: 'The children pool member(s) are down' };
  return {
    availability: 'unknown',
    reason: "The children pool member(s) either don't have service checking enabled, or service check results are not available yet",
  };
}
