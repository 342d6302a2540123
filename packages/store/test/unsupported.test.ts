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

  it('in a loaded file as well: the load fails and nothing changes', () => {
    const file = path.join(t.dir, 'rd.conf');
    fs.writeFileSync(file, 'ltm pool /Common/p { }\nltm virtual /Common/v2 { destination /Common/10.0.0.9%3:25 ip-protocol tcp }\n');
    const err = t.fail(`load sys config merge file ${file} skip-unknown`);
    expect(err.code).toBe(ErrorCodes.NOT_SUPPORTED);
    expect(err.position?.line).toBe(2);
    expect(t.store.names('ltm pool')).toEqual([]);
  });
});
