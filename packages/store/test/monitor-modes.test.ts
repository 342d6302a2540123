import type { StatusReport } from '@openltm/model';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

describe('tcp monitor modes openltm can honour', () => {
  test('transparent enabled is refused, on create and modify, and nothing changes', () => {
    const err = t.fail('create ltm monitor tcp m transparent enabled');
    expect(err.code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(err.toString()).toBe('01070734:3: Configuration error: Monitor (/Common/m) transparent mode is not supported: openltm probes each member directly and cannot route a probe through a member to another destination.');
    expect(t.store.names('ltm monitor tcp')).toEqual(['tcp']);
    t.run('create ltm monitor tcp m');
    t.fail('modify ltm monitor tcp m transparent enabled');
    expect(t.store.getEffective('ltm monitor tcp', 'm')!.properties.transparent).toBe('disabled');
  });

  test('reverse needs both a send and a receive string', () => {
    const msg = 'Configuration error: Monitor (/Common/m) has reverse enabled, which needs both a send string and a receive string.';
    expect(t.fail('create ltm monitor tcp m reverse enabled').message).toBe(msg);
    expect(t.fail('create ltm monitor tcp m reverse enabled recv "^421"').message).toBe(msg);
    expect(t.fail('create ltm monitor tcp m reverse enabled send "QUIT\\r\\n"').message).toBe(msg);
    t.run('create ltm monitor tcp m reverse enabled send "QUIT\\r\\n" recv "^421"');
    expect(t.fail('modify ltm monitor tcp m recv none').message).toBe(msg);
    expect(t.store.getEffective('ltm monitor tcp', 'm')!.properties.recv).toBe('^421');
  });

  test('reverse inherited from a parent is checked on the child', () => {
    t.run('create ltm monitor tcp parent reverse enabled send "QUIT\\r\\n" recv "^421"');
    t.fail('create ltm monitor tcp child defaults-from parent recv none');
    t.run('create ltm monitor tcp child defaults-from parent recv "^554"');
    expect(t.store.getEffective('ltm monitor tcp', 'child')!.properties.reverse).toBe('enabled');
  });
});

describe('manual resume', () => {
  const m11 = '/Common/10.0.0.11:25';
  beforeEach(() => {
    t.run('create ltm monitor smtp mr defaults-from smtp manual-resume enabled');
    t.run('create ltm pool p monitor mr members replace-all-with { 10.0.0.11:25 { address 10.0.0.11 } 10.0.0.12:25 { address 10.0.0.12 } }');
  });

  test('enabling a member records a resume, even when its values do not change', () => {
    expect(t.store.resumeTokens()).toEqual({});
    t.run('modify ltm pool p members modify { 10.0.0.11:25 { session user-enabled state user-up } }');
    expect(t.store.resumeTokens()).toEqual({ [`/Common/p ${m11}`]: 1 });
    t.run('modify ltm pool p members modify { 10.0.0.11:smtp { state user-up } }');
    t.run('modify ltm pool p members modify { 10.0.0.11:25 { session monitor-enabled } }');
    expect(t.store.resumeTokens()).toEqual({ [`/Common/p ${m11}`]: 3 });
  });

  test('other changes do not resume', () => {
    const g = t.store.generation();
    t.run('modify ltm pool p members modify { 10.0.0.11:25 { session user-disabled } }');
    t.run('modify ltm pool p members modify { 10.0.0.11:25 { ratio 2 } }');
    t.run('modify ltm pool p description "x"');
    expect(t.store.resumeTokens()).toEqual({});
    expect(t.store.generation()).toBeGreaterThan(g);
  });

  test('a refused modify records no resume', () => {
    t.fail('modify ltm pool p members modify { 10.0.0.11:25 { state user-up ratio 0 } }');
    expect(t.store.resumeTokens()).toEqual({});
  });

  test('show prints down-manual-resume; list prints the state BIG-IP lists (down), which load reads back', () => {
    const report: StatusReport = {
      generation: t.store.generation(),
      at: Date.now(),
      virtuals: [],
      members: [{
        pool: '/Common/p', member: m11, availability: 'offline', monitorStatus: 'down-manual-resume',
        reason: 'Pool member has been marked down by a monitor and waits for manual resume', stats: { curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 },
      }],
    };
    t.store.writeStatus(report);
    const out = t.run('show ltm pool p members');
    expect(out).toMatch(/\| Ltm::Pool Member: 10\.0\.0\.11:25\n[\s\S]*Availability +: offline\n[\s\S]*Reason +: Pool member has been marked down by a monitor and waits for manual resume\n[\s\S]*Monitor Status : down-manual-resume\n/);
    expect(t.run('list ltm pool p')).toMatch(/10\.0\.0\.11:smtp \{\n\s+address 10\.0\.0\.11\n\s+session monitor-enabled\n\s+state down\n/);
  });
});
