import type { MemberView } from './member-view';
import { roundRobin } from './round-robin';

/**
 * The candidate whose current connections are the smallest share of its `weight`; ties go
 * round-robin. Shares are compared by cross-multiplying, so no float rounding picks a winner.
 */
export function leastShare(
  members: readonly MemberView[],
  candidates: readonly number[],
  last: number,
  weight: (m: MemberView) => number,
  load: (m: MemberView) => number = (m) => m.curConns,
): number | undefined {
  let best: number[] = [];
  for (const i of candidates) {
    if (best.length === 0) {
      best = [i];
      continue;
    }
    const b = members[best[0]];
    const m = members[i];
    const lhs = load(m) * weight(b);
    const rhs = load(b) * weight(m);
    if (lhs < rhs) best = [i];
    else if (lhs === rhs) best.push(i);
  }
  return best.length === 0 ? undefined : roundRobin(members, new Set(best), last);
}

/** ratio-least-connections-member: fewest current connections relative to the member's ratio. */
export function ratioLeastConnections(members: readonly MemberView[], candidates: readonly number[], last: number): number | undefined {
  return leastShare(members, candidates, last, (m) => Math.max(1, m.ratio));
}

/**
 * weighted-least-connections-member: fewest current connections relative to the member's
 * connection limit (its capacity). The store refuses the mode unless every member has a limit.
 */
export function weightedLeastConnections(members: readonly MemberView[], candidates: readonly number[], last: number): number | undefined {
  return leastShare(members, candidates, last, (m) => Math.max(1, m.connectionLimit));
}
