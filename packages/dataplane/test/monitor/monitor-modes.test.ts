/**
 * Monitor timing and modes as BIG-IP defines them, on jest's fake clock: `time-until-up`,
 * `up-interval` (with a timeout shorter than it), a reverse monitor's definite down, and
 * manual-resume. Probes are a switch, so only the scheduling rules are under test.
 */
import pino from 'pino';
import { MonitorScheduler, memberHealth } from '@openltm/dataplane';
import type { CheckState, MemberSpec, MonitorSpec, ProbeFn, ProbeResult } from '@openltm/dataplane';

const target = { monitor: '/Common/m', address: '10.0.0.1', port: 25 };
const mon = (over: Partial<MonitorSpec> = {}): MonitorSpec => ({ name: '/Common/m', type: 'tcp', interval: 5, timeout: 16, destination: '*:*', ...over });

describe('MonitorScheduler on a fake clock', () => {
  let scheduler: MonitorScheduler | undefined;
  let answer: ProbeResult;
  let probeTimes: number[];
  const changes: Array<{ at: number; status: string }> = [];
  const probe: ProbeFn = async () => {
    probeTimes.push(Date.now());
    return answer;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    answer = { ok: true };
    probeTimes = [];
    changes.length = 0;
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    jest.useRealTimers();
  });

  function start(spec: MonitorSpec): void {
    scheduler = new MonitorScheduler({
      logger: pino({ level: 'silent' }),
      probes: { tcp: probe },
      onChange: (c) => changes.push({ at: Date.now(), status: c.status }),
    });
    scheduler.configure([spec], [target]);
    scheduler.start();
  }
  const status = (): string | undefined => scheduler!.get('/Common/m', '10.0.0.1', 25)?.status;
  const advance = (ms: number): Promise<void> => jest.advanceTimersByTimeAsync(ms);
  /** The first probe runs at T0 (the scheduler never arms a timer shorter than 5 ms). */
  const T0 = 5;

  test('time-until-up: after a failure, up only once probes have succeeded that long since the first success', async () => {
    answer = { ok: false, error: 'ECONNREFUSED' };
    start(mon({ timeUntilUp: 12 }));
    await advance(T0);
    expect(status()).toBe('down');
    answer = { ok: true };
    await advance(5000); // first success at 5 s
    expect(status()).toBe('down');
    await advance(10000); // successes at 10 s (5 s streak) and 15 s (10 s streak)
    expect(status()).toBe('down');
    await advance(5000); // 20 s: 15 s of success >= 12
    expect(status()).toBe('up');
    expect(changes.filter((c) => c.status === 'up').map((c) => c.at)).toEqual([T0 + 20000]);
  });

  test('time-until-up: a failure during the wait starts the count again', async () => {
    answer = { ok: false, error: 'ECONNREFUSED' };
    start(mon({ timeUntilUp: 8 }));
    await advance(T0);
    answer = { ok: true };
    await advance(10000); // successes at 5 and 10 s: 5 s streak
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(5000); // failure at 15 s
    answer = { ok: true };
    await advance(10000); // successes at 20 and 25 s: 5 s streak
    expect(status()).toBe('down');
    await advance(5000); // 30 s: 10 s streak
    expect(status()).toBe('up');
  });

  test('up-interval: a healthy member is probed every up-interval and stays up, even with a shorter timeout', async () => {
    start(mon({ interval: 5, upInterval: 30, timeout: 16 }));
    await advance(T0);
    expect(status()).toBe('up');
    await advance(120000);
    expect(status()).toBe('up');
    expect(changes.map((c) => c.status)).toEqual(['up']);
    // The probe that found it up was scheduled at interval; from then on, up-interval.
    expect(probeTimes).toEqual([0, 5000, 35000, 65000, 95000].map((t) => T0 + t));
  });

  test('up-interval: a failed probe returns to interval, and the member goes down a timeout later', async () => {
    start(mon({ interval: 5, upInterval: 30, timeout: 16 }));
    await advance(T0 + 5000); // successes at 0 and 5 s; the next probe is at 35 s
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(30000); // the probe at 35 s fails
    expect(status()).toBe('up');
    await advance(10000); // back on interval: probes at 40 and 45 s
    expect(probeTimes).toEqual([0, 5000, 35000, 40000, 45000].map((t) => T0 + t));
    expect(status()).toBe('up');
    // The countdown runs as if probing every 5 s: from 30 s (one interval before the failed probe), 16 s.
    await advance(1000);
    expect(status()).toBe('down');
    expect(changes.find((c) => c.status === 'down')!.at).toBe(T0 + 46000);
  });

  test('up-interval 0: the down countdown runs from the last success, as before', async () => {
    start(mon({ interval: 5, timeout: 16 }));
    await advance(T0);
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(20000);
    expect(changes.find((c) => c.status === 'down')!.at).toBe(T0 + 16000);
  });

  test('a definite down (reverse match) marks an up member down at its probe, not a timeout later', async () => {
    start(mon({ interval: 5, timeout: 16 }));
    await advance(T0);
    expect(status()).toBe('up');
    answer = { ok: false, down: true, error: 'reply matched the receive string "^421" (reverse)' };
    await advance(5000);
    expect(status()).toBe('down');
    expect(changes.find((c) => c.status === 'down')!.at).toBe(T0 + 5000);
    expect(scheduler!.get('/Common/m', '10.0.0.1', 25)!.lastError).toContain('(reverse)');
  });
});

describe('manual-resume on a fake clock', () => {
  let scheduler: MonitorScheduler | undefined;
  let answer: ProbeResult;
  const T0 = 5;
  const advance = (ms: number): Promise<void> => jest.advanceTimersByTimeAsync(ms);
  const spec = mon({ interval: 5, timeout: 16, manualResume: true });
  const resumeTarget = (token: number, member = '/Common/p /Common/10.0.0.1:25') => ({ ...target, resume: { member, token } });
  const member: MemberSpec = { name: '/Common/10.0.0.1:25', address: '10.0.0.1', port: 25, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled' };
  const rule = { monitors: ['/Common/m'], minimum: 'all' as const };
  const check = (): CheckState | undefined => scheduler!.get('/Common/m', '10.0.0.1', 25);
  const health = () => memberHealth(member, rule, () => check());

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    answer = { ok: true };
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    jest.useRealTimers();
  });

  function start(s: MonitorSpec, targets = [resumeTarget(0)]): void {
    scheduler = new MonitorScheduler({ logger: pino({ level: 'silent' }), probes: { tcp: async () => answer } });
    scheduler.configure([s], targets);
    scheduler.start();
  }

  test('a member marked down stays down-manual-resume while its probes pass again', async () => {
    start(spec);
    await advance(T0);
    expect(health()).toMatchObject({ monitorStatus: 'up', usable: true });
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(20000);
    expect(health()).toMatchObject({ monitorStatus: 'down', availability: 'offline', usable: false });
    answer = { ok: true };
    await advance(60000); // twelve passing probes
    expect(check()).toMatchObject({ status: 'down', awaitingResume: true });
    expect(health()).toMatchObject({
      monitorStatus: 'down-manual-resume',
      availability: 'offline',
      reason: 'Pool member has been marked down by a monitor and waits for manual resume',
      usable: false,
    });
    expect(health().detail).toBe('/Common/m: down; probes pass, waiting for manual resume');
  });

  test('a moved resume token brings it up at once; a resume while it still fails keeps it down', async () => {
    start(spec);
    await advance(T0);
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(20000);
    scheduler!.configure([spec], [resumeTarget(1)]); // resumed while still failing
    answer = { ok: true };
    await advance(5000);
    expect(health().monitorStatus).toBe('down-manual-resume');
    scheduler!.configure([spec], [resumeTarget(2)]);
    expect(health()).toMatchObject({ monitorStatus: 'up', usable: true });
  });

  test('without manual-resume the member comes back at its next passing probe', async () => {
    start(mon({ interval: 5, timeout: 16 }));
    await advance(T0);
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(20000);
    answer = { ok: true };
    await advance(5000);
    expect(health().monitorStatus).toBe('up');
  });

  test('turning manual-resume off releases a held member', async () => {
    start(spec);
    await advance(T0);
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(20000);
    answer = { ok: true };
    await advance(5000);
    expect(health().monitorStatus).toBe('down-manual-resume');
    scheduler!.configure([{ ...spec, manualResume: false }], [resumeTarget(0)]);
    expect(health().monitorStatus).toBe('up');
  });

  test('a check shared by two pools is released by a resume in either (holds are per monitor and address)', async () => {
    start(spec, [resumeTarget(0, 'p1 m'), resumeTarget(0, 'p2 m')]);
    await advance(T0);
    answer = { ok: false, error: 'ECONNREFUSED' };
    await advance(20000);
    answer = { ok: true };
    await advance(5000);
    scheduler!.configure([spec], [resumeTarget(0, 'p1 m'), resumeTarget(1, 'p2 m')]);
    expect(check()?.status).toBe('up');
  });
});
