import type { MemberView } from './member-view';
import { roundRobin } from './round-robin';

/**
 * fastest-app-response: the candidate that greeted new sessions fastest recently. Candidates
 * with no recent sample go first (round-robin among them), so every member is measured and a
 * slow one is measured again once its sample ages out.
 */
export function fastestAppResponse(members: readonly MemberView[], candidates: readonly number[], last: number): number | undefined {
  const unmeasured = candidates.filter((i) => members[i].responseMs === undefined);
  if (unmeasured.length > 0) return roundRobin(members, new Set(unmeasured), last);
  let best: number | undefined;
  for (const i of candidates) if (best === undefined || members[i].responseMs! < members[best].responseMs!) best = i;
  return best;
}
