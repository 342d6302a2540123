import { PrimaryAdmission } from '../../src/cluster/primary-admission';
import type { VirtualSpec } from '../../src/desired-state';

const vs = (over: Partial<VirtualSpec> = {}): VirtualSpec => ({ name: '/Common/vs', enabled: true, address: '127.0.0.1', port: 25, idleTimeout: 300, connectionLimit: 0, ...over });
const from = (remoteAddress: string) => ({ remoteAddress, localAddress: '127.0.0.1' });

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
