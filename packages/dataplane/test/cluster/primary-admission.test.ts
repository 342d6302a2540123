import { PrimaryAdmission } from '../../src/cluster/primary-admission';
import type { VirtualSpec } from '../../src/desired-state';

const vs = (over: Partial<VirtualSpec> = {}): VirtualSpec => ({ name: '/Common/vs', enabled: true, address: '127.0.0.1', port: 25, idleTimeout: 300, connectionLimit: 0, ...over });
const from = (remoteAddress: string) => ({ remoteAddress, localAddress: '127.0.0.1' });

/** Offers a connection; records what became of it. */
function offer(a: PrimaryAdmission<string>, spec: VirtualSpec, address: string): { id?: number; refused?: string } {
  const out: { id?: number; refused?: string } = {};
  a.offer(spec, from(address), (id) => (out.id = id), (why) => (out.refused = why));
  return out;
}

describe('admission in the primary: one count across every worker', () => {
  it('a per-source limit of 3 admits 3 from one address whichever workers hold them, refuses the 4th, and counts the refusal', () => {
    const a = new PrimaryAdmission<string>(3);
    const spec = vs();
    const ids = [0, 1, 2].map((i) => {
      const id = a.admit(spec, from('10.0.0.1'));
      expect(typeof id).toBe('number');
      a.handedTo(id as number, i % 2 === 0 ? 'w0' : 'w1');
      return id as number;
    });
    expect(a.admit(spec, from('10.0.0.1'))).toBe('source-limit');
    // Another address has its own count.
    expect(typeof a.admit(spec, from('10.0.0.2'))).toBe('number');
    expect(a.refusals('/Common/vs')).toEqual({ connectionLimitRejected: 0, sourceLimitRejected: 1, rateLimitRejected: 0 });
    // One ends (on w1, the worker with fewer): the address is admitted again at once.
    a.release(ids[1]);
    expect(typeof a.admit(spec, from('10.0.0.1'))).toBe('number');
  });

  it('a worker that dies gives back every connection it held; repeated or late ends change nothing', () => {
    const a = new PrimaryAdmission<string>(0);
    const spec = vs({ connectionLimit: 2 });
    const x = a.admit(spec, from('10.0.0.1')) as number;
    const y = a.admit(spec, from('10.0.0.2')) as number;
    a.handedTo(x, 'w0');
    a.handedTo(y, 'w1');
    expect(a.load('w0')).toBe(1);
    expect(a.admit(spec, from('10.0.0.3'))).toBe('connection-limit');
    a.releaseOwner('w0');
    expect(a.load('w0')).toBe(0);
    a.release(x);
    a.release(x);
    const z = a.admit(spec, from('10.0.0.3'));
    expect(typeof z).toBe('number');
    expect(a.admit(spec, from('10.0.0.4'))).toBe('connection-limit');
    expect(a.openCount).toBe(2);
  });

  it('a changed spec applies to the next connection, running ones still count', () => {
    const a = new PrimaryAdmission<string>(0);
    const one = vs({ connectionLimit: 1 });
    a.admit(one, from('10.0.0.1'));
    expect(a.admit(one, from('10.0.0.2'))).toBe('connection-limit');
    const two = vs({ connectionLimit: 2 });
    expect(typeof a.admit(two, from('10.0.0.2'))).toBe('number');
    expect(a.admit(two, from('10.0.0.3'))).toBe('connection-limit');
  });

  it('rate-limit is exact too: 2 per second for the virtual, whatever worker would run the session', () => {
    let now = 1_000_000;
    const a = new PrimaryAdmission<string>(0, () => now);
    const spec = vs({ rateLimit: { perSecond: 2, mode: 'object', srcMask: 0, dstMask: 0 } });
    expect(typeof a.admit(spec, from('10.0.0.1'))).toBe('number');
    expect(typeof a.admit(spec, from('10.0.0.2'))).toBe('number');
    expect(a.admit(spec, from('10.0.0.3'))).toBe('rate-limit');
    // A sliding second (rate-windows.ts): two seconds later the budget is whole again.
    now += 2000;
    expect(typeof a.admit(spec, from('10.0.0.3'))).toBe('number');
    expect(a.refusals('/Common/vs')?.rateLimitRejected).toBe(1);
  });

  it('counts of a virtual no longer configured are forgotten', () => {
    const a = new PrimaryAdmission<string>(1);
    a.admit(vs(), from('10.0.0.1'));
    expect(a.admit(vs(), from('10.0.0.1'))).toBe('source-limit');
    a.forget(new Set());
    expect(a.refusals('/Common/vs')).toBeUndefined();
    expect(typeof a.admit(vs(), from('10.0.0.1'))).toBe('number');
  });
});

describe('a connection over a concurrency limit waits briefly for a slot (the worker\'s close report is one hop behind)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a slot released within the grace goes to the waiting connection, and no refusal is counted', () => {
    const a = new PrimaryAdmission<string>(1, Date.now, 500);
    const first = offer(a, vs(), '10.0.0.1');
    expect(first.id).toBeDefined();
    const second = offer(a, vs(), '10.0.0.1');
    expect(second).toEqual({});
    expect(a.waitingCount).toBe(1);
    a.release(first.id!);
    jest.advanceTimersByTime(1);
    expect(second.id).toBeDefined();
    expect(second.refused).toBeUndefined();
    expect(a.refusals('/Common/vs')).toBeUndefined();
    // The slot is the waiting connection's now: a third waits in turn.
    expect(offer(a, vs(), '10.0.0.1')).toEqual({});
  });

  it('without a release it is refused when the grace ends, and counted once', () => {
    const a = new PrimaryAdmission<string>(0, Date.now, 500);
    const spec = vs({ connectionLimit: 1 });
    expect(offer(a, spec, '10.0.0.1').id).toBeDefined();
    const waiting = offer(a, spec, '10.0.0.2');
    jest.advanceTimersByTime(499);
    expect(waiting).toEqual({});
    jest.advanceTimersByTime(1);
    expect(waiting.refused).toBe('connection-limit');
    expect(a.refusals('/Common/vs')?.connectionLimitRejected).toBe(1);
    expect(a.waitingCount).toBe(0);
  });

  it('a connection waiting under old limits is admitted under the virtual\'s new ones, and does not put the old ones back', () => {
    const a = new PrimaryAdmission<string>(0, Date.now, 500);
    const one = vs({ connectionLimit: 1 });
    offer(a, one, '10.0.0.1');
    const waiting = offer(a, one, '10.0.0.2');
    // The limit is raised: the next connection brings the new spec, and a release retries the waiting one.
    const two = vs({ connectionLimit: 3 });
    const fresh = offer(a, two, '10.0.0.3');
    expect(fresh.id).toBeDefined();
    a.release(fresh.id!);
    jest.advanceTimersByTime(1);
    expect(waiting.id).toBeDefined();
    // Limit 3 holds: two open (the first and the one that waited), a third is admitted.
    expect(offer(a, two, '10.0.0.4').id).toBeDefined();
  });

  it('a rate-limit refusal does not wait (a slot freeing would not change it)', () => {
    const a = new PrimaryAdmission<string>(0, () => 1_000_000, 500);
    const spec = vs({ rateLimit: { perSecond: 1, mode: 'object', srcMask: 0, dstMask: 0 } });
    expect(offer(a, spec, '10.0.0.1').id).toBeDefined();
    expect(offer(a, spec, '10.0.0.2').refused).toBe('rate-limit');
  });

  it('a stopping daemon turns waiting connections away at once, uncounted', () => {
    const a = new PrimaryAdmission<string>(1, Date.now, 500);
    offer(a, vs(), '10.0.0.1');
    const waiting = offer(a, vs(), '10.0.0.1');
    a.refuseWaiting();
    expect(waiting.refused).toBe('source-limit');
    expect(a.refusals('/Common/vs')).toBeUndefined();
  });
});
