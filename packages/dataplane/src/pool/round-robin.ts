import type { MemberView } from './member-view';

/**
 * The next candidate after `last` in pool order, wrapping around. `candidates` are indexes into
 * `members`; walking the full list (not the candidate list) keeps the rotation stable when
 * members come and go.
 */
export function roundRobin(members: readonly MemberView[], candidates: ReadonlySet<number>, last: number): number | undefined {
  const n = members.length;
  for (let step = 1; step <= n; step++) {
    const i = (((last + step) % n) + n) % n;
    if (candidates.has(i)) return i;
  }
  return undefined;
}
