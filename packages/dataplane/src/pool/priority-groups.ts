import type { MemberView } from './member-view';

/**
 * Priority group activation as BIG-IP does it: enabled when `minActiveMembers > 0`. Groups are
 * taken from the highest priority down, adding each whole group, until at least
 * `minActiveMembers` eligible members are in; all of them then share the traffic. With
 * activation off (0) the priority groups are ignored. `eligible` are indexes of members that
 * may take a session now (usable and under their connection limit, which BIG-IP also counts
 * as inactive).
 */
export function activeMembers(members: readonly MemberView[], eligible: readonly number[], minActiveMembers: number): number[] {
  if (minActiveMembers <= 0 || eligible.length === 0) return [...eligible];
  const groups = [...new Set(eligible.map((i) => members[i].priorityGroup))].sort((a, b) => b - a);
  const active: number[] = [];
  for (const g of groups) {
    for (const i of eligible) if (members[i].priorityGroup === g) active.push(i);
    if (active.length >= minActiveMembers) break;
  }
  return active;
}
