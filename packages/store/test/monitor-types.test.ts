import Database from 'better-sqlite3';
import { ErrorCodes } from '@openltm/model';
import { itSqlite, openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

describe('http, https, tcp-half-open, icmp and gateway-icmp monitors', () => {
  test('every new store has the built-ins BIG-IP has', () => {
    expect(t.store.names('ltm monitor http')).toEqual(['http']);
    expect(t.store.names('ltm monitor https')).toEqual(['https']);
    expect(t.store.names('ltm monitor tcp-half-open')).toEqual(['tcp_half_open']);
    expect(t.store.names('ltm monitor icmp')).toEqual(['icmp']);
    expect(t.store.names('ltm monitor gateway-icmp')).toEqual(['gateway_icmp']);
  });

  // Edits the SQLite file underneath the store, as an older version would have left it.
  itSqlite('a store made before these types existed gets their built-ins when opened', () => {
    const dir = t.dir;
    t.store.close();
    const raw = new Database(`${dir}/config.db`);
    raw.prepare("DELETE FROM objects WHERE type IN ('ltm monitor http', 'ltm monitor icmp')").run();
    raw.close();
    t = openTestStore(dir);
    expect(t.store.names('ltm monitor http')).toEqual(['http']);
    expect(t.store.names('ltm monitor icmp')).toEqual(['icmp']);
    t.run('create ltm monitor http hc defaults-from http');
  });

  test('an http monitor lists in BIG-IP layout, with the request it sends and the settings BIG-IP always writes', () => {
    t.run('create ltm monitor http hc recv "200 OK" interval 10 timeout 31');
    expect(t.run('list ltm monitor http hc')).toBe(
      [
        'ltm monitor http hc {',
        '    adaptive disabled',
        '    defaults-from http',
        '    destination *:*',
        '    interval 10',
        '    ip-dscp 0',
        '    recv "200 OK"',
        '    recv-disable none',
        '    send "GET / HTTP/1.0\\r\\n\\r\\n"',
        '    time-until-up 0',
        '    timeout 31',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('adaptive, transparent and tcp recv-disable are refused with the reason; nothing is created', () => {
    expect(t.fail('create ltm monitor http a adaptive enabled').toString()).toBe(
      "01070734:3: Configuration error: Monitor (/Common/a) adaptive mode is not supported: openltm does not track probe latency; only a probe's success or failure marks a member.",
    );
    expect(t.fail('create ltm monitor https b transparent enabled').message).toMatch(/transparent mode is not supported/);
    expect(t.fail('create ltm monitor tcp-half-open c transparent enabled').message).toMatch(/transparent mode is not supported/);
    expect(t.fail('create ltm monitor tcp d recv-disable maint').message).toBe(
      'Configuration error: Monitor (/Common/d) recv-disable is not supported on tcp monitors: a tcp reply has no end to judge it at; use an http monitor.',
    );
    expect(t.fail('create ltm monitor tcp e adaptive enabled').code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(t.store.names('ltm monitor http')).toEqual(['http']);
    expect(t.store.names('ltm monitor tcp')).toEqual(['tcp']);
  });

  test('an http reverse monitor needs recv (its request is the default one)', () => {
    expect(t.fail('create ltm monitor http r reverse enabled').message).toMatch(/reverse enabled, which needs both a send string and a receive string/);
    t.run('create ltm monitor http r reverse enabled recv DOWN');
  });

  test('ip-dscp and https ssl-profile are accepted and stored only, with a warning', () => {
    const r = t.store.execute('create ltm monitor https s ip-dscp 46 ssl-profile serverssl cipherlist DEFAULT:!RC4', t.session);
    expect((r.warnings ?? []).map((w) => w.toString())).toEqual([
      '01070998:4: Monitor (/Common/s): "ip-dscp" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
      '01070998:4: Monitor (/Common/s): "ssl-profile" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
    ]);
    expect(t.fail('modify ltm monitor https s ssl-profile nosuch').toString()).toBe('01020036:3: The requested ServerSSL Profile (/Common/nosuch) was not found.');
  });

  test('a pool rule naming an icmp monitor warns that it counts as passing; a pool using an http monitor does not warn', () => {
    t.run('create ltm monitor http hc');
    const r = t.store.execute('create ltm pool p monitor min 1 of { gateway_icmp hc } members replace-all-with { 10.0.0.1:25 { address 10.0.0.1 } }', t.session);
    expect((r.warnings ?? []).map((w) => w.toString())).toEqual([
      '01070998:4: Pool (/Common/p): monitor /Common/gateway_icmp is stored only: openltm sends no ICMP, so it counts as passing in the monitor rule; add a tcp, tcp-half-open or smtp monitor to check the member.',
    ]);
    expect(t.store.execute('modify ltm pool p monitor hc', t.session).warnings).toBeUndefined();
    const m = t.store.execute('modify ltm pool p members modify { 10.0.0.1:25 { monitor icmp } }', t.session);
    expect((m.warnings ?? []).map((w) => w.message)).toEqual([expect.stringMatching(/^Pool \(\/Common\/p\): monitor \/Common\/icmp is stored only/)]);
  });

  test('a monitor in use by a pool cannot be deleted', () => {
    t.run('create ltm monitor http hc');
    t.run('create ltm pool p monitor hc');
    expect(t.fail('delete ltm monitor http hc').code).toBe(ErrorCodes.MONITOR_IN_USE);
  });
});
