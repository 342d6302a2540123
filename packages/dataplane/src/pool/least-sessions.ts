import type { MemberView } from './member-view';
import { leastConnections } from './least-connections';

/**
 * least-sessions: BIG-IP counts each member's persistence records. openltm keeps none; an SMTP
 * session holds exactly one member connection for its whole life, so the member with the fewest
 * open sessions is the one with the fewest current connections. Ties go round-robin.
 */
export function leastSessions(members: readonly MemberView[], candidates: readonly number[], last: number): number | undefined {
  return leastConnections(members, candidates, last);
}
