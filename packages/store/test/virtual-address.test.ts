import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  t.run('create ltm pool p');
});
afterEach(() => t.cleanup());

const names = () => t.store.names('ltm virtual-address');

describe('ltm virtual-address', () => {
  test('the first virtual on an address creates it, named by the address, with the virtual\'s mask', () => {
    t.run('create ltm virtual vs destination 192.0.2.10:25 pool p');
    t.run('create ltm virtual vs6 destination 2001:db8::a.25 pool p');
    expect(names()).toEqual(['192.0.2.10', '2001:db8::a']);
    expect(t.run('list ltm virtual-address 192.0.2.10')).toBe(
      'ltm virtual-address 192.0.2.10 {\n    address 192.0.2.10\n    arp enabled\n    mask 255.255.255.255\n    traffic-group /Common/traffic-group-1\n}\n',
    );
    t.run('create ltm virtual vs2 destination 192.0.2.10:587 pool p');
    expect(names()).toEqual(['192.0.2.10', '2001:db8::a']);
  });

  test('it cannot be deleted while a virtual uses it, and goes with the last one (auto-delete true)', () => {
    t.run('create ltm virtual vs destination 192.0.2.10:25 pool p');
    t.run('create ltm virtual vs2 destination 192.0.2.10:587 pool p');
    expect(t.fail('delete ltm virtual-address 192.0.2.10').toString()).toBe(
      '01070265:3: The Virtual Address (/Common/192.0.2.10) cannot be deleted because it is in use by a Virtual Server (/Common/vs).',
    );
    t.run('delete ltm virtual vs');
    expect(names()).toEqual(['192.0.2.10']);
    t.run('delete ltm virtual vs2');
    expect(names()).toEqual([]);
  });

  test('a virtual moving to another address leaves its old one behind only with auto-delete false', () => {
    t.run('create ltm virtual-address 192.0.2.20 auto-delete false');
    t.run('create ltm virtual vs destination 192.0.2.20:25 pool p');
    t.run('modify ltm virtual vs destination 192.0.2.21:25');
    expect(names()).toEqual(['192.0.2.20', '192.0.2.21']);
    t.run('modify ltm virtual vs destination 192.0.2.22:25');
    expect(names()).toEqual(['192.0.2.20', '192.0.2.22']);
    t.run('delete ltm virtual vs');
    expect(names()).toEqual(['192.0.2.20']);
  });

  test('the address comes from the name or is given; a named address serves the virtuals on its address', () => {
    t.run('create ltm virtual-address mail_vip address 192.0.2.30 connection-limit 100');
    t.run('create ltm virtual vs destination 192.0.2.30:25 pool p');
    expect(names()).toEqual(['mail_vip']);
    expect(t.fail('delete ltm virtual-address mail_vip').code).toBe(ErrorCodes.IN_USE);
    expect(t.fail('create ltm virtual-address other address 192.0.2.30').message).toMatch(/192\.0\.2\.30/);
    expect(t.fail('create ltm virtual-address web').message).toBe('Configuration error: "address" is required to create a Virtual Address.');
    expect(t.fail('modify ltm virtual-address mail_vip address 192.0.2.31').code).toBe(ErrorCodes.CONFIG_ERROR);
  });

  test('the wildcard address is written any (any6), as BIG-IP writes it, and serves virtuals on 0.0.0.0', () => {
    t.run('create ltm virtual-address 0.0.0.0 address any arp disabled mask any');
    t.run('create ltm virtual vs destination 0.0.0.0:25 mask any pool p');
    expect(names()).toEqual(['0.0.0.0']);
    expect(t.fail('delete ltm virtual-address 0.0.0.0').code).toBe(ErrorCodes.IN_USE);
    expect(t.fail('create ltm virtual-address wild address any').message).toMatch(/already the address of Virtual Address \(\/Common\/0\.0\.0\.0\)/);
    expect(t.fail('create ltm node n1 address any').code).toBe(ErrorCodes.INVALID_VALUE);
    t.run('create ltm virtual vs6 destination any6.25 mask any6 pool p');
    expect(t.run('list ltm virtual-address ::')).toBe('ltm virtual-address :: {\n    address any6\n    arp enabled\n    mask any6\n    traffic-group /Common/traffic-group-1\n}\n');
  });

  test('settings openltm does not act on warn; connection-limit and enabled do not', () => {
    t.run('create ltm virtual vs destination 192.0.2.10:25 pool p');
    const r = t.store.execute('modify ltm virtual-address 192.0.2.10 arp disabled icmp-echo disabled connection-limit 5 enabled no', t.session);
    expect((r.warnings ?? []).map((w) => w.message)).toEqual([
      'Virtual Address (/Common/192.0.2.10): "arp" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
      'Virtual Address (/Common/192.0.2.10): "icmp-echo" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
    ]);
  });

  test('save and load give the same virtual addresses back, whichever comes first in the file', () => {
    t.run('create ltm virtual-address 192.0.2.20 auto-delete false enabled no');
    t.run('create ltm virtual vs destination 192.0.2.10:25 pool p');
    t.run('modify ltm virtual-address 192.0.2.10 connection-limit 7');
    const file = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.indexOf('ltm virtual /Common/vs')).toBeLessThan(text.indexOf('ltm virtual-address /Common/192.0.2.10'));
    const u = openTestStore();
    try {
      u.run(`load sys config file ${file}`);
      expect(u.run('list ltm virtual-address')).toBe(t.run('list ltm virtual-address'));
      const again = path.join(u.dir, 'again.conf');
      u.run(`save sys config file ${again}`);
      expect(fs.readFileSync(again, 'utf8')).toBe(text);
    } finally {
      u.cleanup();
    }
  });
});
