import pino from 'pino';
import { MonitorScheduler, PoolSet } from '@openltm/dataplane';
import type { MonitorSpec, PoolSpec, MemberSpec } from '@openltm/dataplane';
import { TestBackend, captureLogger, waitFor } from '../helpers/smtp-backend';

const mon: MonitorSpec = { name: '/Common/smtp_mon', type: 'smtp', interval: 0.1, timeout: 0.5, domain: 'probe.test', destination: '*:*' };

function member(port: number, over: Partial<MemberSpec> = {}): MemberSpec {
  return { name: `/Common/127.0.0.1:${port}`, address: '127.0.0.1', port, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over };
}

describe('MonitorScheduler with real backends', () => {
  let a: TestBackend;
  let b: TestBackend;
  let scheduler: MonitorScheduler | undefined;
  beforeEach(() => {
    a = new TestBackend();
    b = new TestBackend();
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    await a.stop();
    await b.stop();
  });

  test('a stopped backend is marked down within its timeout, and up again when it returns', async () => {
    await a.start();
    await b.start();
    const { logger, lines } = captureLogger();
    let pools: PoolSet | undefined;
    scheduler = new MonitorScheduler({ logger, onChange: () => pools?.refreshHealth() });
    pools = new PoolSet(logger, (m, addr, port) => scheduler!.get(m, addr, port));
    const pool: PoolSpec = { name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [mon.name], minimum: 'all' }, members: [member(a.port), member(b.port)] };
    pools.configure([pool]);
    scheduler.configure([mon], pools.checkTargets());
    scheduler.start();

    const status = (port: number): string | undefined => pools!.memberStatuses().find((s) => s.member.endsWith(`:${port}`))?.monitorStatus;
    await waitFor(() => status(a.port) === 'up' && status(b.port) === 'up', 2000, 'both up');

    const stoppedAt = Date.now();
    await a.stop();
    await waitFor(() => status(a.port) === 'down', 2000, 'a down');
    // Down no later than `timeout` after the last success (which was at most one interval before the stop).
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(500 + 150);
    expect(status(b.port)).toBe('up');
    const down = pools.memberStatuses().find((s) => s.member.endsWith(`:${a.port}`))!;
    expect(down.availability).toBe('offline');
    expect(down.reason).toBe('Pool member has been marked down by a monitor');
    expect(lines.map((l) => l.msg)).toContain(
      `01070638:5: Pool /Common/p member /Common/127.0.0.1:${a.port} monitor status down. [ /Common/smtp_mon: down; last error: ECONNREFUSED ]`,
    );
    // With a down, every new session goes to b.
    const picks = [0, 1, 2, 3].map(() => {
      const lease = pools!.acquire('/Common/p')!;
      lease.release();
      return lease.port;
    });
    expect(picks).toEqual([b.port, b.port, b.port, b.port]);

    await a.start(a.port);
    const upIn = await waitFor(() => status(a.port) === 'up', 2000, 'a up');
    expect(upIn).toBeLessThanOrEqual(100 + 150);
    expect(lines.map((l) => l.msg)).toContain(`01070727:5: Pool /Common/p member /Common/127.0.0.1:${a.port} monitor status up. [ /Common/smtp_mon: up ]`);
  });

  test('all members down: acquire returns undefined and the pool logs that it has no members', async () => {
    await a.start();
    const { logger, lines } = captureLogger();
    let pools: PoolSet | undefined;
    scheduler = new MonitorScheduler({ logger, onChange: () => pools?.refreshHealth() });
    pools = new PoolSet(logger, (m, addr, port) => scheduler!.get(m, addr, port));
    pools.configure([{ name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [mon.name], minimum: 'all' }, members: [member(a.port)] }]);
    scheduler.configure([mon], pools.checkTargets());
    scheduler.start();
    await waitFor(() => pools!.availability('/Common/p')?.availability === 'available', 2000);
    await a.stop();
    await waitFor(() => pools!.availability('/Common/p')?.availability === 'offline', 2000);
    expect(pools.acquire('/Common/p')).toBeUndefined();
    expect(pools.availability('/Common/p')?.reason).toBe('The children pool member(s) are down');
    expect(lines.map((l) => l.msg)).toContain('01010028:3: No members available for pool /Common/p');
  });

  test('one probe per (monitor, destination) however many pools share the member', async () => {
    await a.start();
    const logger = pino({ level: 'silent' });
    scheduler = new MonitorScheduler({ logger });
    const rule = { monitors: [mon.name], minimum: 'all' as const };
    const pools = new PoolSet(logger, (m, addr, port) => scheduler!.get(m, addr, port));
    pools.configure([
      { name: '/Common/p1', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: rule, members: [member(a.port)] },
      { name: '/Common/p2', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: rule, members: [member(a.port)] },
    ]);
    scheduler.configure([{ ...mon, interval: 0.2 }], pools.checkTargets());
    scheduler.start();
    await new Promise((r) => setTimeout(r, 500));
    // 0, 200, 400 ms: three probes, not six.
    expect(a.connections).toBeGreaterThanOrEqual(2);
    expect(a.connections).toBeLessThanOrEqual(3);
  });
});
