import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

describe('ltm snat-translation and SNAT pool members', () => {
  test('a SNAT pool member given as an address creates its translation, named by the address', () => {
    t.run('create ltm snatpool sp members { 10.0.0.7 10.0.0.8 }');
    expect(t.store.names('ltm snat-translation')).toEqual(['10.0.0.7', '10.0.0.8']);
    expect(t.run('list ltm snat-translation 10.0.0.7')).toBe('ltm snat-translation 10.0.0.7 {\n    address 10.0.0.7\n}\n');
    expect(t.run('list ltm snatpool sp')).toBe('ltm snatpool sp {\n    members {\n        10.0.0.7\n        10.0.0.8\n    }\n}\n');
    expect(t.run('list ltm snatpool sp one-line')).toBe('ltm snatpool sp { members { 10.0.0.7 10.0.0.8 } }\n');
  });

  test('members name translations: a named translation is used by name; an unknown name is not found', () => {
    t.run('create ltm snat-translation out1 address 10.0.0.9');
    t.run('create ltm snatpool sp members { out1 }');
    expect(t.store.names('ltm snat-translation')).toEqual(['out1']);
    expect(t.fail('create ltm snatpool sp2 members { nosuch }').toString()).toBe('01020036:3: The requested SNAT Translation (/Common/nosuch) was not found.');
    expect(t.fail('create ltm snatpool sp3 members { 10.0.0.9 }').message).toMatch(/SNAT Translation \(\/Common\/out1\) already has that address/);
    expect(t.fail('delete ltm snat-translation out1').code).toBe(ErrorCodes.IN_USE);
    expect(t.fail('create ltm snat-translation out2 address 10.0.0.9').message).toMatch(/already the address of SNAT Translation \(\/Common\/out1\)/);
  });

  test('settings openltm does not act on say so; disabled does not', () => {
    t.run('create ltm snat-translation 10.0.0.7');
    const r = t.store.execute('modify ltm snat-translation 10.0.0.7 disabled arp disabled connection-limit 10', t.session);
    expect((r.warnings ?? []).map((w) => w.message)).toEqual([
      'SNAT Translation (/Common/10.0.0.7): "arp" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
      'SNAT Translation (/Common/10.0.0.7): "connection-limit" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
    ]);
    expect(t.store.getEffective('ltm snat-translation', '10.0.0.7')!.properties.enabled).toBe('disabled');
  });

  test('ltm snat is stored only, with its references checked', () => {
    t.run('create ltm snatpool sp members { 10.0.0.7 }');
    const r = t.store.execute('create ltm snat s1 origins add { 0.0.0.0/0 { } } snatpool sp vlans-enabled vlans { /Common/external }', t.session);
    expect((r.warnings ?? []).map((w) => w.message)).toEqual(
      ['origins', 'snatpool', 'vlans-enabled', 'vlans'].map((p) => `SNAT (/Common/s1): "${p}" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.`),
    );
    expect(t.run('list ltm snat s1')).toBe(
      'ltm snat s1 {\n    origins {\n        0.0.0.0/0 { }\n    }\n    snatpool sp\n    vlans {\n        /Common/external\n    }\n    vlans-enabled\n}\n',
    );
    expect(t.fail('create ltm snat s2 snatpool nosuch').code).toBe(ErrorCodes.NOT_FOUND);
    expect(t.fail('delete ltm snatpool sp').code).toBe(ErrorCodes.IN_USE);
  });

  test('save and load give the translations, pools and SNATs back unchanged', () => {
    t.run('create ltm snat-translation out1 address 10.0.0.9 traffic-group /Common/traffic-group-local-only');
    t.run('create ltm snatpool sp members { out1 10.0.0.7 }');
    t.run('create ltm snat s1 origins add { 10.1.0.0/16 { } } snatpool sp');
    const file = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('ltm snatpool /Common/sp {\n    members {\n        /Common/out1\n        /Common/10.0.0.7\n    }\n}');
    const u = openTestStore();
    try {
      u.run(`load sys config file ${file}`);
      const again = path.join(u.dir, 'again.conf');
      u.run(`save sys config file ${again}`);
      expect(fs.readFileSync(again, 'utf8')).toBe(text);
    } finally {
      u.cleanup();
    }
  });
});
