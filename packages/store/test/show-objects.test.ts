/**
 * `show` for the first-class objects other than virtuals, pools and nodes: virtual addresses
 * (availability and counters from the virtuals on them), SNAT pools, translations and SNATs
 * (acted on or not, and why, in the load summary's words), iRules (events, never executed) and
 * data groups; field-fmt; the error for a type show does not cover.
 */
import * as path from 'node:path';
import type { StatusReport, VirtualStats } from '@openltm/model';
import type { LoadSummary } from '@openltm/store';
import { openTestStore, seedScenario, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  seedScenario(t);
});
afterEach(() => t.cleanup());

const corpus = (f: string) => path.join(__dirname, '../../parser/test/fixtures/corpus', f);

function stats(over: Partial<Pick<VirtualStats, 'clientCurConns' | 'clientTotConns' | 'clientBytesIn' | 'clientBytesOut'>>): VirtualStats {
  return {
    clientCurConns: 0, clientMaxConns: 0, clientTotConns: 0, clientBytesIn: 0, clientBytesOut: 0, starttlsOffered: 0, starttlsUpgraded: 0, refusedBeforeTls: 0,
    tlsHandshakeFailures: 0, pipelinedDiscarded: 0, smugglingBlocked: 0, connectionLimitRejected: 0, messages: 0, clientCertValid: 0, clientCertInvalid: 0,
    clientCertNone: 0, rateLimitRejected: 0, sourceLimitRejected: 0, sessionTimeouts: 0, authRefusedBeforeTls: 0, earlyTalkers: 0, ...over,
  };
}

/** A report for vs_smtp and vs_sub (both on 192.0.2.10). */
type Reported = { availability: string; stats: Parameters<typeof stats>[0] };
function report(a: Reported, b: Reported): StatusReport {
  return {
    generation: t.store.generation(),
    at: Date.now(),
    members: [],
    virtuals: [
      { name: '/Common/vs_smtp', availability: a.availability, state: 'enabled', reason: '', stats: stats(a.stats) },
      { name: '/Common/vs_sub', availability: b.availability, state: 'enabled', reason: '', stats: stats(b.stats) },
    ],
  } as StatusReport;
}

describe('show ltm virtual-address', () => {
  beforeEach(() => {
    t.run('create ltm virtual vs_sub destination 192.0.2.10:587 ip-protocol tcp pool smtp_pool');
  });

  it('is unknown before a report, and names the virtual servers on it', () => {
    const out = t.run('show ltm virtual-address 192.0.2.10');
    expect(out).toContain('Ltm::Virtual Address: 192.0.2.10\n');
    expect(out).toMatch(/Availability +: unknown\n +State +: enabled\n +Reason +: No status reported yet/);
    expect(out).toMatch(/Virtual Servers +: vs_smtp, vs_sub\n/);
    expect(out).not.toMatch(/Connection Limit/);
  });

  it('sums the ClientSide counters of the virtuals on it; available when one is, offline when all are', () => {
    t.store.writeStatus(report(
      { availability: 'available', stats: { clientBytesIn: 1000, clientBytesOut: 300, clientCurConns: 2, clientTotConns: 5 } },
      { availability: 'offline', stats: { clientBytesIn: 24, clientBytesOut: 7, clientCurConns: 1, clientTotConns: 3 } },
    ));
    const out = t.run('show ltm virtual-address 192.0.2.10 raw');
    expect(out).toMatch(/Availability +: available\n/);
    expect(out).toMatch(/\n {2}Bits In +8192\n {2}Bits Out +2456\n {2}Current Connections +3\n {2}Total Connections +8\n/);
    // The most at once on the address is not the sum of each virtual's most: not printed.
    expect(out).not.toMatch(/Maximum Connections/);
    t.store.writeStatus(report({ availability: 'offline', stats: {} }, { availability: 'offline', stats: {} }));
    expect(t.run('show ltm virtual-address 192.0.2.10')).toMatch(/Availability +: offline\n +State +: enabled\n +Reason +: The children virtual server\(s\) are down/);
  });

  it('State follows enabled; connection-limit is shown when set', () => {
    t.run('modify ltm virtual-address 192.0.2.10 enabled no connection-limit 40');
    const out = t.run('show ltm virtual-address 192.0.2.10');
    expect(out).toMatch(/State +: disabled\n +Reason +: The virtual address is disabled: no virtual server on it takes connections/);
    expect(out).toMatch(/Connection Limit +: 40\n/);
  });

  it('reset-stats of the address zeroes its sums only; a virtual\'s reset-stats leaves the address\'s sums alone', () => {
    const first = report({ availability: 'available', stats: { clientTotConns: 5, clientBytesIn: 10 } }, { availability: 'available', stats: { clientTotConns: 3 } });
    t.store.writeStatus(first);
    t.run('reset-stats ltm virtual vs_smtp');
    expect(t.run('show ltm virtual-address 192.0.2.10 raw')).toMatch(/Total Connections +8\n/);
    t.run('reset-stats ltm virtual-address 192.0.2.10');
    expect(t.run('show ltm virtual-address 192.0.2.10 raw')).toMatch(/Total Connections +0\n/);
    t.store.writeStatus(report({ availability: 'available', stats: { clientTotConns: 6, clientBytesIn: 10 } }, { availability: 'available', stats: { clientTotConns: 5 } }));
    expect(t.run('show ltm virtual-address 192.0.2.10 raw')).toMatch(/Bits In +0\n[\s\S]*Total Connections +3\n/);
    expect(t.run('show ltm virtual vs_sub raw')).toMatch(/\n {2}Total Connections +5 /);
  });

  it('field-fmt prints one field per line, sorted, counters exact; json has the same fields', () => {
    t.store.writeStatus(report({ availability: 'available', stats: { clientBytesIn: 200_000 } }, { availability: 'available', stats: {} }));
    expect(t.run('show ltm virtual-address 192.0.2.10 field-fmt')).toBe(
      'ltm virtual-address 192.0.2.10 {\n' +
        '    addr 192.0.2.10\n' +
        '    clientside.bits-in 1600000\n' +
        '    clientside.bits-out 0\n' +
        '    clientside.cur-conns 0\n' +
        '    clientside.tot-conns 0\n' +
        '    status.availability-state available\n' +
        '    status.enabled-state enabled\n' +
        '    status.status-reason The virtual address is available\n' +
        '    virtual-servers vs_smtp, vs_sub\n' +
        '}\n',
    );
    const json = t.store.execute('show ltm virtual-address', t.session).data as Array<{ name: string; stats: Record<string, number> }>;
    expect(json).toEqual([expect.objectContaining({ name: '/Common/192.0.2.10', stats: expect.objectContaining({ 'clientside.bits-in': 1_600_000 }) })]);
  });

  it('in a partition: cd names it relative, recursive from / names it in full', () => {
    t.run('create auth partition Tenant');
    t.run('cd /Tenant');
    t.run('create ltm virtual vs_t destination 198.51.100.4:25 ip-protocol tcp pool /Common/smtp_pool');
    expect(t.run('show ltm virtual-address')).toMatch(/Ltm::Virtual Address: 198\.51\.100\.4\n[\s\S]*Virtual Servers +: vs_t\n/);
    t.run('cd /');
    const all = t.run('show ltm virtual-address recursive');
    expect(all).toContain('Ltm::Virtual Address: /Common/192.0.2.10\n');
    expect(all).toContain('Ltm::Virtual Address: /Tenant/198.51.100.4\n');
  });
});

describe('show ltm snatpool, snat-translation, snat', () => {
  it('a SNAT pool a virtual translates through is acted on; unused, it says so; no traffic zeros', () => {
    t.run('create ltm snatpool sp members replace-all-with { 127.0.0.1 127.0.0.2 }');
    let out = t.run('show ltm snatpool sp');
    expect(out).toContain('Ltm::SNAT Pool: sp\n');
    expect(out).toMatch(/Acted On +: no\n +Reason +: Not acted on: no virtual server translates through it/);
    t.run('modify ltm virtual vs_smtp source-address-translation { type snat pool sp }');
    out = t.run('show ltm snatpool sp');
    expect(out).toMatch(/Acted On +: yes\n/);
    expect(out).toMatch(/Members +: 127\.0\.0\.1, 127\.0\.0\.2\n +Virtual Servers +: vs_smtp\n/);
    expect(out).toMatch(/Traffic +: not counted/);
    expect(out).not.toMatch(/Bits In|Total Connections/);
    expect(t.run('show ltm snat-translation 127.0.0.1')).toMatch(/Acted On +: yes\n[\s\S]*SNAT Pools +: sp\n/);
    t.run('modify ltm snat-translation 127.0.0.2 disabled');
    expect(t.run('show ltm snat-translation 127.0.0.2')).toMatch(/Acted On +: no\n +Reason +: Not acted on: disabled: the SNAT pools listing it skip this address/);
    expect(t.run('show ltm snatpool sp')).toMatch(/Members +: 127\.0\.0\.1, 127\.0\.0\.2 \(disabled: skipped\)\n/);
    t.run('modify ltm virtual vs_smtp disabled');
    expect(t.run('show ltm snatpool sp')).toMatch(/Acted On +: no\n +Reason +: Not acted on: no virtual server using it is served or enabled/);
  });

  it('a typed SNAT is never acted on, and says what it would translate to', () => {
    t.run('create ltm snat s_auto automap origins replace-all-with { 10.0.0.0/8 { } }');
    const out = t.run('show ltm snat s_auto');
    expect(out).toMatch(/Acted On +: no\n +Reason +: Not acted on: stored only: openltm forwards nothing outside its virtual servers; use source-address-translation on a virtual server\.\n/);
    expect(out).toMatch(/Origins +: 10\.0\.0\.0\/8\n +Translation +: automap\n/);
    t.run('create ltm snatpool sp members replace-all-with { 127.0.0.1 }');
    t.run('create ltm snat s_pool snatpool sp origins replace-all-with { 10.1.0.0/16 { } }');
    expect(t.run('show ltm snat s_pool')).toMatch(/Translation +: snatpool sp\n/);
    expect(t.run('show ltm snatpool sp')).toMatch(/Reason +: Not acted on: no virtual server translates through it \(source-address-translation \{ type snat pool sp \}\)\. ltm snat s_pool names it, and ltm snat is stored only\.\n[\s\S]*SNATs +: s_pool\n/);
  });

  it('from a corpus file: a SNAT pool without members and a SNAT naming a missing pool give the load summary\'s reasons', () => {
    const file = corpus('batfish__f5_bigip_structured_ltm_references.conf');
    const summary = t.store.execute(`load sys config merge file ${file}`, t.session).data as LoadSummary;
    expect(summary.incomplete).toEqual([{ object: 'ltm snatpool /Common/snatpool_unused', reason: '"members" is required to create a SNAT Pool.' }]);
    expect(t.run('show ltm snatpool snatpool_unused')).toMatch(/Acted On +: no\n +Reason +: Not acted on: 01070734:3: Configuration error: "members" is required to create a SNAT Pool\.\n +Members +: none\n/);
    const snat = t.run('show ltm snat snat_used');
    expect(snat).toContain('Ltm::SNAT: snat_used\n');
    expect(snat).toMatch(/Reason +: Not acted on: stored only: openltm forwards nothing outside its virtual servers; use source-address-translation on a virtual server\. 01020036:3: The requested SNAT Pool \(\/Common\/snatpool_undefined\) was not found/);
    expect(snat).toMatch(/Translation +: snatpool snatpool_undefined\n/);
    expect(t.run('show ltm snat-translation 192.0.2.5')).toMatch(/Reason +: Not acted on: no SNAT pool lists it\./);
    expect(t.run('show ltm snat-translation 192.0.2.4')).toMatch(/Reason +: Not acted on: no SNAT pool listing it is acted on/);
    // The file's virtual is not served (profiles openltm does not serve): its address is offline, and says why.
    expect(t.run('show ltm virtual-address 192.0.2.9')).toMatch(/Availability +: offline\n +State +: enabled\n +Reason +: No virtual server on it is served by openltm \(show ltm virtual says why\)\n[\s\S]*Virtual Servers +: virtual_used\n/);
    expect(t.run('show ltm virtual-address 192.0.2.7')).toMatch(/Availability +: unknown\n +State +: enabled\n +Reason +: No virtual server uses this address\n/);
  });
});

describe('show ltm rule and data-group internal', () => {
  it('an iRule lists its events as not executed (no counters), and the virtuals listing it', () => {
    t.run('create ltm rule r_log { when CLIENT_ACCEPTED priority 100 {\n  log local0. "hello"\n}\nwhen SERVER_CONNECTED {\n  set x 1\n} }');
    t.run('modify ltm virtual vs_smtp rules { r_log }');
    const out = t.run('show ltm rule r_log');
    expect(out).toContain('Ltm::Rule: r_log\n');
    expect(out).toMatch(/State +: stored only\n +Reason +: Not acted on: openltm does not execute iRules/);
    expect(out).toMatch(/Virtual Servers +: vs_smtp\n/);
    expect(out).toMatch(/\nEvents\n {2}CLIENT_ACCEPTED +: priority 100, not executed\n {2}SERVER_CONNECTED +: priority 500, not executed\n/);
    expect(out).not.toMatch(/Executions|Failures|Aborts|CPU Cycles/);
  });

  it('from a corpus file: each rule\'s events and the virtual that lists it', () => {
    t.run(`load sys config merge file ${corpus('batfish__f5_bigip_structured_ltm.conf')}`);
    expect(t.run('show ltm rule SOME_RULE1')).toMatch(/Virtual Servers +: SOME_VIRTUAL\n[\s\S]*HTTP_REQUEST +: priority 10, not executed\n/);
    expect(t.run('show ltm rule SOME_RULE4')).toMatch(/Virtual Servers +: none\n[\s\S]*CLIENT_ACCEPTED +: priority 500, not executed\n/);
  });

  it('events: timing and priority in any order, an event declared twice gets a field each, a comment is not an event', () => {
    t.run('create ltm rule r_two { # when NOT_AN_EVENT {\nwhen HTTP_REQUEST timing on priority 20 {\n  set a 1\n}\nwhen HTTP_REQUEST priority 5 {\n  set b 2\n} }');
    const out = t.run('show ltm rule r_two');
    expect(out).toMatch(/\nEvents\n {2}HTTP_REQUEST : priority 20, not executed\n {2}HTTP_REQUEST : priority 5, not executed\n/);
    expect(out).not.toContain('NOT_AN_EVENT');
    const json = t.store.execute('show ltm rule r_two', t.session).data as Array<{ status: Record<string, string> }>;
    expect(json[0].status).toMatchObject({ 'events.HTTP_REQUEST': 'priority 20, not executed', 'events.HTTP_REQUEST.2': 'priority 5, not executed' });
  });

  it('a data group: stored only, its type and record count', () => {
    t.run('create ltm data-group internal dg_hosts type ip records replace-all-with { 10.0.0.0/8 { data inside } 192.0.2.1 { } }');
    expect(t.run('show ltm data-group internal dg_hosts')).toMatch(/Ltm::Data Group: dg_hosts\n[\s\S]*State +: stored only\n +Reason +: Not acted on: a lookup table for iRules[\s\S]*Type +: ip\n +Records +: 2\n/);
  });
});

describe('what show covers', () => {
  it('a type without show names every type that has one; reset-stats only where counters exist', () => {
    expect(t.fail('show ltm monitor smtp smtp_mon').message).toBe(
      '"show ltm monitor smtp" is not supported; show ltm virtual, ltm virtual-address, ltm pool, ltm node, ltm snatpool, ltm snat-translation, ltm snat, ltm rule, ltm data-group internal',
    );
    expect(t.fail('reset-stats ltm snatpool all').message).toBe('"reset-stats ltm snatpool" is not supported: openltm keeps counters for ltm virtual, ltm virtual-address, ltm pool');
  });

  it('field-fmt on a virtual and on a pool with its members', () => {
    const vs = t.run('show ltm virtual vs_smtp field-fmt');
    expect(vs).toMatch(/^ltm virtual vs_smtp \{\n {4}admission\.connection-limit-rejections 0\n/);
    expect(vs).toMatch(/\n {4}status\.availability-state unknown\n/);
    expect(vs).toMatch(/\n}\n$/);
    const pool = t.run('show ltm pool smtp_pool members field-fmt');
    expect(pool).toMatch(/\n {4}members \{\n {8}10\.0\.0\.11:25 \{\n {12}monitor-rule smtp_mon \(pool monitor\)\n/);
  });
});
