/**
 * Stored-only properties (effect: storedOnly in the schema) are kept, warn when set, and are
 * listed by `show ltm virtual` when in effect on the virtual, its profiles, its pool or the
 * pool's monitors. `show` data is structured: tmsh field names, numbers as numbers.
 */
import { ErrorCodes } from '@openltm/model';
import { openTestStore, seedScenario, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  seedScenario(t);
});
afterEach(() => t.cleanup());

const warnings = (cmd: string): string[] => (t.store.execute(cmd, t.session).warnings ?? []).map(String);

describe('setting a stored-only property', () => {
  it('warns in tmsh style (severity 4), and the command succeeds with the value kept', () => {
    const w = warnings('modify ltm virtual vs_smtp mirror enabled');
    expect(w).toEqual([
      '01070998:4: Virtual Server (/Common/vs_smtp): "mirror" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
    ]);
    expect(t.run('list ltm virtual vs_smtp mirror')).toContain('mirror enabled');
  });

  it('names nested properties by their path, once each, and says nothing for enforced ones', () => {
    expect(warnings('modify ltm pool smtp_pool slow-ramp-time 20 members modify { 10.0.0.11:25 { dynamic-ratio 5 ratio 2 } }')).toEqual([
      '01070998:4: Pool (/Common/smtp_pool): "slow-ramp-time" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
      '01070998:4: Pool (/Common/smtp_pool): "members dynamic-ratio" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
    ]);
    expect(warnings('modify ltm pool smtp_pool members modify { 10.0.0.11:25 { ratio 3 } } description "mail pool"')).toEqual([]);
    expect(warnings('create ltm profile tcp t_nagle nagle enabled idle-timeout 60')).toEqual([
      expect.stringContaining('TCP Profile (/Common/t_nagle): "nagle" is stored only'),
    ]);
  });

  it('warns at submit for statements queued in a cli transaction', () => {
    t.run('create cli transaction');
    expect(t.store.execute('modify ltm virtual vs_smtp vlans { internal } vlans-enabled', t.session).queued).toBe(true);
    const w = warnings('submit cli transaction');
    expect(w.map((x) => /"([^"]+)"/.exec(x)?.[1])).toEqual(['vlans', 'vlans-enabled']);
    expect(w.every((x) => x.startsWith(`${ErrorCodes.STORED_ONLY}:4: `))).toBe(true);
  });
});

describe('show ltm virtual', () => {
  it('lists the stored-only settings in effect on the virtual, its profiles, its pool and its monitors, not defaults', () => {
    t.run('create ltm profile tcp t_nagle nagle enabled');
    t.run('modify ltm virtual vs_smtp profiles replace-all-with { t_nagle { } my_smtps { } my_cssl { context clientside } } mirror enabled');
    t.run('modify ltm pool smtp_pool slow-ramp-time 20');
    t.run('modify ltm monitor smtp smtp_mon debug yes');
    const out = t.run('show ltm virtual vs_smtp');
    const section = out.slice(out.indexOf('Stored-only Settings'));
    expect(section.split('\n').slice(1).filter(Boolean)).toEqual([
      '  ltm virtual /Common/vs_smtp: mirror enabled',
      '  ltm profile tcp /Common/t_nagle: nagle enabled',
      '  ltm pool /Common/smtp_pool: slow-ramp-time 20',
      '  ltm monitor smtp /Common/smtp_mon: debug yes',
    ]);
    const data = t.store.execute('show ltm virtual vs_smtp', t.session).data as Array<{ storedOnly: unknown[] }>;
    expect(data[0].storedOnly).toContainEqual({ object: 'ltm pool /Common/smtp_pool', property: 'slow-ramp-time', value: '20' });
  });

  it('says none when nothing stored-only is in effect', () => {
    t.run('modify ltm virtual vs_smtp source-address-translation { type none }');
    expect(t.run('show ltm virtual vs_smtp')).toMatch(/Stored-only Settings .*\n {2}none\n$/);
  });
});

describe('show data', () => {
  it('is numbers and status words under tmsh field names, the same figures the text shows', () => {
    t.store.writeStatus({
      generation: t.store.generation(), at: Date.now(),
      virtuals: [{
        name: '/Common/vs_smtp', availability: 'available', state: 'enabled', reason: 'The virtual server is available',
        stats: {
          clientCurConns: 2, clientMaxConns: 5, clientTotConns: 1500, clientBytesIn: 225000, clientBytesOut: 225, starttlsOffered: 40,
          starttlsUpgraded: 38, refusedBeforeTls: 3, tlsHandshakeFailures: 1, pipelinedDiscarded: 0, smugglingBlocked: 0, connectionLimitRejected: 4, messages: 12,
          authRefusedBeforeTls: 0, earlyTalkers: 0, clientCertValid: 0, clientCertInvalid: 0, clientCertNone: 0,
          rateLimitRejected: 0, sourceLimitRejected: 0, sessionTimeouts: 0,
        },
      }],
      members: [],
    });
    const r = t.store.execute('show ltm virtual vs_smtp', t.session);
    const [vs] = r.data as Array<{ name: string; status: Record<string, unknown>; stats: Record<string, unknown> }>;
    expect(vs.name).toBe('/Common/vs_smtp');
    expect(vs.status['status.availability-state']).toBe('available');
    expect(vs.stats).toMatchObject({
      'clientside.bits-in': 1_800_000, 'clientside.tot-conns': 1500, 'clientside.cur-conns': 2, 'total-requests': 12,
      'starttls.upgraded': 38, 'admission.connection-limit-rejections': 4,
    });
    expect(r.output).toMatch(/\n {2}Bits In +1\.8M +0 +-\n/);
    const pool = t.store.execute('show ltm pool smtp_pool members', t.session).data as Array<{ status: Record<string, unknown>; members: Array<{ name: string; stats: Record<string, unknown> }> }>;
    expect(pool[0].status['member-cnt']).toBe(2);
    expect(pool[0].members.map((m) => m.name)).toEqual(['/Common/10.0.0.11:25', '/Common/10.0.0.12:25']);
    expect(pool[0].members[0].stats['serverside.tot-conns']).toBe(0);
  });
});
