import { limitShare } from '../../src/cluster/limit-shares';
import { StateAssembly, StateBroadcast, stateMessage } from '../../src/cluster/state-delta';
import type { DesiredState } from '../../src/desired-state';

describe('member connection limits divided among workers (BIG-IP CMP semantics)', () => {
  it('the shares add up to the limit exactly, never more', () => {
    for (const [limit, workers] of [[10, 4], [7, 3], [1, 2], [3, 8], [100, 1]] as const) {
      const shares = Array.from({ length: workers }, (_, i) => limitShare(limit, i, workers));
      expect(shares.reduce((a, s) => a + Math.max(0, s), 0)).toBe(limit);
    }
    expect([0, 1, 2, 3].map((i) => limitShare(10, i, 4))).toEqual([3, 3, 2, 2]);
  });

  it('a worker whose share is empty takes no session at all, and unlimited stays unlimited', () => {
    expect([0, 1, 2].map((i) => limitShare(1, i, 3))).toEqual([1, -1, -1]);
    expect(limitShare(0, 2, 3)).toBe(0);
  });

  it('each worker rebuilds the same snapshot with its own share of member limits; virtual limits travel whole (the primary admits)', () => {
    const desired: DesiredState = {
      generation: 7,
      virtuals: [
        { name: '/Common/vs', enabled: true, address: '127.0.0.1', port: 2525, idleTimeout: 300, connectionLimit: 5, pool: '/Common/p' },
        { name: '/Common/open', enabled: true, address: '127.0.0.1', port: 2526, idleTimeout: 300, connectionLimit: 0 },
      ],
      pools: [{
        name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' },
        members: [
          { name: '/Common/10.0.0.1:25', address: '10.0.0.1', port: 25, ratio: 1, priorityGroup: 0, connectionLimit: 3, state: 'user-up', session: 'user-enabled' },
          { name: '/Common/10.0.0.2:25', address: '10.0.0.2', port: 25, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled' },
        ],
      }],
      monitors: [],
    };
    const change = new StateBroadcast().delta(desired);
    const w1 = new StateAssembly().apply(stateMessage(change, 7, true, 1, 2));
    expect(w1.generation).toBe(7);
    expect(w1.virtuals.map((v) => v.connectionLimit)).toEqual([5, 0]);
    expect(w1.pools[0].members.map((m) => m.connectionLimit)).toEqual([1, 0]);
    expect(new StateAssembly().apply(stateMessage(change, 7, true, 0, 2)).pools[0].members[0].connectionLimit).toBe(2);
    expect(desired.virtuals[0].connectionLimit).toBe(5);
  });
});
