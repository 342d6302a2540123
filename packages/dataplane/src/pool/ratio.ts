import type { MemberView } from './member-view';

/**
 * Smooth weighted round-robin (nginx's algorithm): every candidate earns its ratio in credit,
 * the richest is chosen and pays the total. Over any window the split follows the ratios
 * exactly, and heavy members are interleaved rather than sent bursts.
 */
export function ratioMember(
  members: readonly MemberView[],
  candidates: readonly number[],
  credits: Readonly<Record<string, number>>,
): { chosen: number | undefined; credits: Record<string, number> } {
  const next: Record<string, number> = {};
  let total = 0;
  let chosen: number | undefined;
  for (const i of candidates) {
    const m = members[i];
    const weight = Math.max(1, m.ratio);
    const credit = (credits[m.name] ?? 0) + weight;
    next[m.name] = credit;
    total += weight;
    if (chosen === undefined || credit > next[members[chosen].name]) chosen = i;
  }
  if (chosen !== undefined) next[members[chosen].name] -= total;
  return { chosen, credits: next };
}
