import { PoolSet } from '@openltm/dataplane';
import type { MemberSpec, PoolSpec } from '@openltm/dataplane';
import { captureLogger } from '../helpers/smtp-backend';

const member = (n: number, over: Partial<MemberSpec> = {}): MemberSpec => ({
  name: `/Common/10.0.0.${n}:25`, address: `10.0.0.${n}`, port: 25, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over,
});
const pool = (over: Partial<PoolSpec> = {}): PoolSpec => ({
  name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' }, members: [member(1), member(2)], ...over,
});

describe('PoolSet', () => {
  test('a lease counts the connection until released, exactly once', () => {
    const pools = new PoolSet(captureLogger().logger, () => undefined);
    pools.configure([pool()]);
    const lease = pools.acquire('/Common/p')!;
    expect(lease).toMatchObject({ pool: '/Common/p', member: '/Common/10.0.0.1:25', address: '10.0.0.1', port: 25 });
    expect(lease.stats).toMatchObject({ curConns: 1, totConns: 1, maxConns: 1 });
    lease.release();
    lease.release();
    expect(pools.memberStatuses()[0].stats).toMatchObject({ curConns: 0, totConns: 1, maxConns: 1 });
  });

  test('a member at its connection limit is skipped until a session ends', () => {
    const pools = new PoolSet(captureLogger().logger, () => undefined);
    pools.configure([pool({ members: [member(1, { connectionLimit: 1 })] })]);
    const first = pools.acquire('/Common/p')!;
    expect(pools.acquire('/Common/p')).toBeUndefined();
    first.release();
    expect(pools.acquire('/Common/p')?.member).toBe('/Common/10.0.0.1:25');
  });

  test('user-disabled and user-down members take no new sessions; an unknown pool gives none', () => {
    const pools = new PoolSet(captureLogger().logger, () => undefined);
    pools.configure([pool({ members: [member(1, { session: 'user-disabled' }), member(2, { state: 'user-down' }), member(3)] })]);
    const picks = [1, 2, 3].map(() => pools.acquire('/Common/p')!.member);
    expect(picks).toEqual(['/Common/10.0.0.3:25', '/Common/10.0.0.3:25', '/Common/10.0.0.3:25']);
    expect(pools.acquire('/Common/nope')).toBeUndefined();
  });

  test('counters survive a reconfiguration for members that stay', () => {
    const pools = new PoolSet(captureLogger().logger, () => undefined);
    pools.configure([pool()]);
    const lease = pools.acquire('/Common/p')!;
    pools.configure([pool({ members: [member(1, { ratio: 5 }), member(3)], loadBalancingMode: 'ratio-member' })]);
    lease.release();
    const stats = Object.fromEntries(pools.memberStatuses().map((m) => [m.member, m.stats.totConns]));
    expect(stats).toEqual({ '/Common/10.0.0.1:25': 1, '/Common/10.0.0.3:25': 0 });
    expect(pools.memberStatuses()[0].stats.curConns).toBe(0);
  });

  test('an unimplemented mode runs as round-robin and says so in the log and the pool status', () => {
    const { logger, lines } = captureLogger();
    const pools = new PoolSet(logger, () => undefined);
    pools.configure([pool({ loadBalancingMode: 'predictive-node' })]);
    expect(lines.map((l) => l.msg)).toContain('Pool /Common/p load-balancing-mode predictive-node is not implemented; using round-robin');
    const [status] = pools.poolStatuses();
    expect(status.effectiveMode).toBe('round-robin');
    expect(status.reason).toContain('load-balancing-mode predictive-node is not implemented, using round-robin');
    expect([1, 2, 3, 4].map(() => pools.acquire('/Common/p')!.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2']);
  });
});

test('backend connection failures are logged at most once a second per member', () => {
  const { logger, lines } = captureLogger();
  const pools = new PoolSet(logger, () => undefined);
  pools.configure([pool({ members: [member(1)] })]);
  for (let i = 0; i < 100; i++) {
    const lease = pools.acquire('/Common/p')!;
    lease.failed('ECONNREFUSED');
    lease.release();
  }
  const failures = lines.filter((l) => String(l.msg).includes('connection failed'));
  expect(failures).toHaveLength(1);
  expect(failures[0].msg).toBe('Pool /Common/p member /Common/10.0.0.1:25 connection failed: ECONNREFUSED');
});
