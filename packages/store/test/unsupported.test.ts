/**
 * Values openltm cannot honour, where ignoring them would be unsafe, are refused (not stored)
 * with a BIG-IP-style error, from create, modify and a loaded file alike. (renegotiation enabled
 * is refused by the client-ssl rules, tested with them.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  t.run('create ltm virtual vs destination 10.0.0.1:25');
});
afterEach(() => t.cleanup());

describe('refused until supported', () => {
  it('a route domain in the source', () => {
    expect(t.fail('modify ltm virtual vs source 10.0.0.0%2/8').message).toMatch(/route domain in source 10.0.0.0%2\/8 is not supported/);
    expect(t.run('list ltm virtual vs source')).toContain('source 0.0.0.0/0');
  });

  it('a route domain in the destination: two virtuals would fight over one socket', () => {
    expect(t.fail('create ltm virtual rd destination 10.0.0.1%2:25').message).toMatch(/route domain %2 in destination is not supported/);
    expect(t.fail('modify ltm virtual vs destination 10.0.0.1%1:25').code).toBe(ErrorCodes.NOT_SUPPORTED);
    expect(t.store.names('ltm virtual')).toEqual(['vs']);
  });

  it('ip-protocol other than tcp, and a destination on any port', () => {
    expect(t.fail('create ltm virtual u destination 10.0.0.2:25 ip-protocol udp profiles none').message).toMatch(/ip-protocol udp is not supported: openltm proxies SMTP over TCP only/);
    expect(t.fail('create ltm virtual anyport destination 10.0.0.2:0').message).toMatch(/destination port any \(0\) is not supported/);
  });

  it('in a loaded file the virtual is kept but not served, and the load says why', () => {
    const file = path.join(t.dir, 'rd.conf');
    fs.writeFileSync(file, 'ltm pool /Common/p { }\nltm virtual /Common/v2 { destination /Common/10.0.0.9%3:25 ip-protocol tcp }\n');
    const out = t.run(`load sys config merge file ${file}`);
    expect(out).toContain('Not served: 1 virtual servers are kept but get no listener:\n  /Common/v2: route domain %3 in destination is not supported: openltm has no route domains; two virtuals would share one socket.\n');
    expect(t.store.names('ltm pool')).toEqual(['p']);
    expect(t.store.getEffective('ltm virtual', 'v2')!.properties['~not-served']).toHaveLength(1);
    // Still refused when typed; a change that leaves it unservable keeps it kept and not served.
    expect(t.fail('create ltm virtual v3 destination 10.0.0.9%3:25').code).toBe(ErrorCodes.NOT_SUPPORTED);
    t.run('modify ltm virtual v2 description kept');
    t.run('modify ltm virtual v2 destination 10.0.0.9:26');
    expect(t.store.getEffective('ltm virtual', 'v2')!.properties['~not-served']).toBeUndefined();
  });
});
