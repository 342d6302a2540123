import type { MemberView } from './member-view';
import { leastShare } from './weighted-connections';

/**
 * The -node modes weigh a member by its node (its server address) rather than by itself: the
 * node's connections from every pool, and the node's `ratio`. A mail server in a port 25 pool
 * and a port 587 pool is one node, loaded by both.
 */
const nodeConns = (m: MemberView): number => m.node?.conns ?? m.curConns;

/** least-connections-node: the member whose node has the fewest connections across all pools. */
export function leastConnectionsNode(members: readonly MemberView[], candidates: readonly number[], last: number): number | undefined {
  return leastShare(members, candidates, last, () => 1, nodeConns);
}

/** ratio-least-connections-node: fewest node connections relative to the node's ratio. */
export function ratioLeastConnectionsNode(members: readonly MemberView[], candidates: readonly number[], last: number): number | undefined {
  return leastShare(members, candidates, last, (m) => Math.max(1, m.node?.ratio ?? 1), nodeConns);
}

/** ratio-node: ratio-member with each member weighted by its node's ratio. */
export function withNodeRatios(members: readonly MemberView[]): MemberView[] {
  return members.map((m) => ({ ...m, ratio: m.node?.ratio ?? 1 }));
}
