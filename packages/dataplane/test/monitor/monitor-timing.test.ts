import pino from 'pino';
import { MonitorScheduler } from '@openltm/dataplane';
import type { MonitorSpec, ProbeFn } from '@openltm/dataplane';
import { waitFor } from '../helpers/smtp-backend';

/** Probes answered from a switch, counted, without sockets: these tests are about timing rules. */
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
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  function start(spec: MonitorSpec, probe: ProbeFn): MonitorScheduler {
    scheduler = new MonitorScheduler({ logger: pino({ level: 'silent' }), probes: { tcp: probe } });
    scheduler.configure([spec], [target]);
    scheduler.start();
    return scheduler;
  }
  const status = (): string | undefined => scheduler!.get('/Common/m', '10.0.0.1', 25)?.status;

  test('a member that has never answered goes down at its first failure', async () => {
    const f = fakeProbe();
    f.healthy.value = false;
    start(mon({ timeout: 10 }), f.probe);
    await waitFor(() => status() === 'down', 500);
    expect(scheduler!.get('/Common/m', '10.0.0.1', 25)?.lastError).toBe('ECONNREFUSED');
  });

  test('an up member stays up through failures until `timeout` passes without a success', async () => {
    const f = fakeProbe();
    start(mon(), f.probe);
    await waitFor(() => status() === 'up', 500);
    f.healthy.value = false;
    const failedAt = Date.now();
    await new Promise((r) => setTimeout(r, 150));
    expect(status()).toBe('up');
    await waitFor(() => status() === 'down', 1000);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(200);
  });

  test('time-until-up: a recovered member is marked up only after succeeding that long', async () => {
    const f = fakeProbe();
    f.healthy.value = false;
    start(mon({ timeUntilUp: 0.3 }), f.probe);
    await waitFor(() => status() === 'down', 500);
    f.healthy.value = true;
    const healedAt = Date.now();
    await waitFor(() => status() === 'up', 2000);
    expect(Date.now() - healedAt).toBeGreaterThanOrEqual(280);
  });

  test('up-interval: probes slow down while the member is up', async () => {
    const f = fakeProbe();
    start(mon({ interval: 0.02, upInterval: 0.2, timeout: 1 }), f.probe);
    await waitFor(() => status() === 'up', 500);
    const before = f.count.value;
    await new Promise((r) => setTimeout(r, 450));
    // Every 200 ms rather than every 20 ms: 2 or 3 probes, not ~20.
    expect(f.count.value - before).toBeLessThanOrEqual(3);
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
    await waitFor(() => started === 1, 500);
    await scheduler!.stop();
    expect(aborted).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(started).toBe(1);
  });
});
