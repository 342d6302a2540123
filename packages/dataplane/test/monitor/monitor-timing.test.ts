import pino from 'pino';
import { MonitorScheduler, PoolSet } from '@openltm/dataplane';
import type { MonitorSpec, ProbeFn } from '@openltm/dataplane';

/**
 * Probes answered from a switch, counted, without sockets: these tests are about timing rules,
 * so they run on jest's fake clock (timers and Date) and assert exact instants, not wall-clock windows.
 */
function fakeProbe(): { probe: ProbeFn; healthy: { value: boolean }; count: { value: number } } {
  const healthy = { value: true };
  const count = { value: 0 };
  const probe: ProbeFn = async () => {
    count.value++;
    return healthy.value ? { ok: true } : { ok: false, error: 'ECONNREFUSED' };
  };
  return { probe, healthy, count };
}

const mon = (over: Partial<MonitorSpec> = {}): MonitorSpec => ({ name: '/Common/m', type: 'tcp', interval: 0.05, timeout: 0.3, destination: '*:*', ...over });
const target = { monitor: '/Common/m', address: '10.0.0.1', port: 25 };

describe('MonitorScheduler timing rules', () => {
  let scheduler: MonitorScheduler | undefined;
  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    jest.useRealTimers();
  });

  function start(spec: MonitorSpec, probe: ProbeFn): MonitorScheduler {
    scheduler = new MonitorScheduler({ logger: pino({ level: 'silent' }), probes: { tcp: probe } });
    scheduler.configure([spec], [target]);
    scheduler.start();
    return scheduler;
  }
  const status = (): string | undefined => scheduler!.get('/Common/m', '10.0.0.1', 25)?.status;
  /** Advance the fake clock in steps of `stepMs` until `fn` holds; returns the fake time that took. */
  async function until(fn: () => boolean, limitMs: number, stepMs = 1): Promise<number> {
    const t0 = Date.now();
    await jest.advanceTimersByTimeAsync(0);
    while (!fn()) {
      if (Date.now() - t0 > limitMs) throw new Error(`condition not met within ${limitMs} ms of fake time`);
      await jest.advanceTimersByTimeAsync(stepMs);
    }
    return Date.now() - t0;
  }

  test('a member that has never answered goes down at its first failure', async () => {
    const f = fakeProbe();
    f.healthy.value = false;
    start(mon({ timeout: 10 }), f.probe);
    await until(() => status() === 'down', 500);
    // Down at the first failed probe, not after `timeout` (10 s).
    expect(f.count.value).toBe(1);
    expect(scheduler!.get('/Common/m', '10.0.0.1', 25)?.lastError).toBe('ECONNREFUSED');
  });

  test('an up member stays up through failures until `timeout` passes without a success', async () => {
    const f = fakeProbe();
    start(mon(), f.probe);
    await until(() => status() === 'up', 500);
    const lastSuccess = scheduler!.get('/Common/m', '10.0.0.1', 25)!.lastSuccessAt!;
    f.healthy.value = false;
    // Failing probes every 50 ms; still up at 299 ms after the last success, down at 300 ms.
    await jest.advanceTimersByTimeAsync(lastSuccess + 299 - Date.now());
    expect(f.count.value).toBeGreaterThanOrEqual(5);
    expect(status()).toBe('up');
    await jest.advanceTimersByTimeAsync(1);
    expect(status()).toBe('down');
  });

  test('time-until-up: a recovered member is marked up only after succeeding that long', async () => {
    const f = fakeProbe();
    f.healthy.value = false;
    start(mon({ timeUntilUp: 0.3 }), f.probe);
    await until(() => status() === 'down', 500);
    f.healthy.value = true;
    // Probes every 50 ms succeed from the next one on; up at the first probe 300 ms into the streak.
    const tookMs = await until(() => status() === 'up', 2000);
    expect(tookMs).toBeGreaterThanOrEqual(300);
    expect(tookMs).toBeLessThanOrEqual(300 + 50);
  });

  test('a down member is marked up at its first successful probe, within one interval', async () => {
    const f = fakeProbe();
    start(mon(), f.probe);
    await until(() => status() === 'up', 500);
    f.healthy.value = false;
    await until(() => status() === 'down', 1000);
    f.healthy.value = true;
    const probes = f.count.value;
    expect(await until(() => status() === 'up', 1000)).toBeLessThanOrEqual(50);
    expect(f.count.value).toBe(probes + 1);
  });

  test('one probe per (monitor, destination) however many pools share the member', async () => {
    const f = fakeProbe();
    const rule = { monitors: ['/Common/m'], minimum: 'all' as const };
    const member = { name: '/Common/10.0.0.1:25', address: '10.0.0.1', port: 25, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up' as const, session: 'user-enabled' as const };
    const logger = pino({ level: 'silent' });
    scheduler = new MonitorScheduler({ logger, probes: { tcp: f.probe } });
    const pools = new PoolSet(logger, (m, addr, port) => scheduler!.get(m, addr, port));
    pools.configure([
      { name: '/Common/p1', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: rule, members: [member] },
      { name: '/Common/p2', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: rule, members: [member] },
    ]);
    scheduler.configure([mon({ interval: 0.2, timeout: 1 })], pools.checkTargets());
    scheduler.start();
    await jest.advanceTimersByTimeAsync(1000);
    // Every 200 ms for one second: five probes, not ten.
    expect(f.count.value).toBe(5);
  });

  test('up-interval: probes slow down while the member is up', async () => {
    const f = fakeProbe();
    start(mon({ interval: 0.02, upInterval: 0.2, timeout: 1 }), f.probe);
    await until(() => status() === 'up', 500);
    const before = f.count.value;
    await jest.advanceTimersByTimeAsync(1000);
    // Every 200 ms rather than every 20 ms: 5 probes in a second, not 50.
    expect(f.count.value - before).toBe(5);
  });

  test('stop() aborts probes in flight and starts no more', async () => {
    let started = 0;
    let aborted = 0;
    const hanging: ProbeFn = (_a, _p, _s, _t, signal) =>
      new Promise((resolve) => {
        started++;
        signal?.addEventListener('abort', () => {
          aborted++;
          resolve({ ok: false, error: 'monitor stopped' });
        });
      });
    start(mon({ timeout: 10 }), hanging);
    await until(() => started === 1, 500);
    await scheduler!.stop();
    expect(aborted).toBe(1);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(started).toBe(1);
  });
});
