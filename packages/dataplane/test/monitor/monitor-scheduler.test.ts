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

    await a.stop();
    // How soon (at `timeout` after the last success) is asserted on a fake clock in monitor-timing.test.ts.
    await waitFor(() => status(a.port) === 'down', 5000, 'a down');
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
    // Up at the first successful probe (within one interval: monitor-timing.test.ts).
    await waitFor(() => status(a.port) === 'up', 5000, 'a up');
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
});
