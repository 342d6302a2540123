/**
 * The -node load-balancing modes through a real PoolSet: a node is a server address, loaded by
 * the members of every pool on it. (The data plane's sockets are not needed to count leases;
 * the tests' servers may only bind 127.0.0.1, which is a single node.)
 */
import { PoolSet } from '@openltm/dataplane';
import type { BackendLease, MemberSpec, PoolSpec } from '@openltm/dataplane';
import { captureLogger } from '../helpers/smtp-backend';

const member = (n: number, port = 25, over: Partial<MemberSpec> = {}): MemberSpec => ({
  name: `/Common/10.0.0.${n}:${port}`, address: `10.0.0.${n}`, port, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over,
});
const pool = (name: string, mode: string, members: MemberSpec[]): PoolSpec => ({
  name: `/Common/${name}`, loadBalancingMode: mode, minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' }, members,
});

/** Leases `n` sessions from `pool` and holds them; returns the addresses chosen. */
function take(pools: PoolSet, name: string, n: number, held: BackendLease[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const lease = pools.acquire(`/Common/${name}`)!;
    held.push(lease);
    out.push(lease.address);
  }
  return out;
}

describe('-node load-balancing modes', () => {
  test('least-connections-node counts the node\'s sessions from every pool; least-connections-member does not', () => {
    const held: BackendLease[] = [];
    const pools = new PoolSet(captureLogger().logger, () => undefined);
    // Port 587 pool on server 10.0.0.1 holds three sessions; the port 25 pool has both servers.
    pools.configure([
      pool('submission', 'round-robin', [member(1, 587)]),
      pool('node_mode', 'least-connections-node', [member(1), member(2)]),
      pool('member_mode', 'least-connections-member', [member(1, 2525), member(2, 2525)]),
    ]);
    take(pools, 'submission', 3, held);
    expect(take(pools, 'node_mode', 3, held)).toEqual(['10.0.0.2', '10.0.0.2', '10.0.0.2']);
    // 10.0.0.1 now has 3, 10.0.0.2 has 3: they alternate.
    expect(take(pools, 'node_mode', 2, held)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(take(pools, 'member_mode', 2, held)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  test('ratio-node splits by the nodes\' ratios, not the members\'', () => {
    const held: BackendLease[] = [];
    const pools = new PoolSet(captureLogger().logger, () => undefined);
    pools.configure([pool('p', 'ratio-node', [member(1, 25, { ratio: 9, nodeRatio: 1 }), member(2, 25, { nodeRatio: 3 })])]);
    const picks = take(pools, 'p', 8, held);
    expect(picks.filter((a) => a === '10.0.0.1')).toHaveLength(2);
    expect(picks.filter((a) => a === '10.0.0.2')).toHaveLength(6);
  });

  test('ratio-least-connections-node weighs node connections by the node ratio', () => {
    const held: BackendLease[] = [];
    const pools = new PoolSet(captureLogger().logger, () => undefined);
    pools.configure([
      pool('other', 'round-robin', [member(2, 587)]),
      pool('ratio', 'ratio-least-connections-node', [member(1, 25, { nodeRatio: 1 }), member(2, 25, { nodeRatio: 3 })]),
    ]);
    take(pools, 'other', 2, held); // node 2 starts with 2 connections
    // ratio 1 vs 3: node 1 takes one (1/1), node 2 takes up to 3 per node 1's one.
    const r = take(pools, 'ratio', 6, held);
    expect(r.filter((a) => a === '10.0.0.1')).toHaveLength(2);
    expect(r.filter((a) => a === '10.0.0.2')).toHaveLength(4);
  });
});
