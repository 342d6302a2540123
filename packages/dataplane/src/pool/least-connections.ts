import type { MemberView } from './member-view';
import { roundRobin } from './round-robin';

/**
 * The candidate with the fewest current connections; ties go round-robin so equal members
 * share the load instead of the first one taking every new session.
 */
export function leastConnections(members: readonly MemberView[], candidates: readonly number[], last: number): number | undefined {
  let fewest = Infinity;
  for (const i of candidates) fewest = Math.min(fewest, members[i].curConns);
  const tied = new Set(candidates.filter((i) => members[i].curConns === fewest));
  return tied.size === 0 ? undefined : roundRobin(members, tied, last);
}
