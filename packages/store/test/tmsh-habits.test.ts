import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

describe('tmsh habits of BIG-IP administrators', () => {
  test('create ltm node 10.1.2.3 takes the address from the name', () => {
    t.run('create ltm node 10.1.2.3');
    t.run('create ltm node 2001:db8::7');
    expect(t.run('list ltm node 10.1.2.3')).toBe('ltm node 10.1.2.3 {\n    address 10.1.2.3\n}\n');
    expect(t.store.getEffective('ltm node', '2001:db8::7')!.properties.address).toBe('2001:db8::7');
    // A name that is not an address still needs one; one address cannot have two nodes.
    expect(t.fail('create ltm node web1').message).toBe('Configuration error: "address" is required to create a Node.');
    expect(t.fail('create ltm node web1 address 10.1.2.3').message).toMatch(/already the address of Node \(\/Common\/10\.1\.2\.3\)/);
  });

  test('an unknown type word is named as tmsh names it ("poool" unknown property), for every verb', () => {
    const cases: [string, string][] = [
      ['create ltm poool p1', 'poool'],
      ['list ltm poool', 'poool'],
      ['delete ltm poool p1', 'poool'],
      ['list ltm monitor htp', 'htp'],
      ['show sys versio', 'versio'],
    ];
    for (const [cmd, word] of cases) {
      const err = t.fail(cmd);
      expect(err.code).toBe(ErrorCodes.SYNTAX);
      expect(err.toString()).toMatch(new RegExp(`^Syntax Error: "${word}" unknown property \\(expected [a-z -]+(, [a-z -]+)*\\)$`));
    }
    expect(t.fail('list ltm monitor htp').message).toMatch(/expected gateway-icmp, http, https, icmp, smtp, tcp, tcp-half-open\)$/);
  });

  test('show sys version prints tmsh\'s Sys::Version layout', () => {
    const out = t.run('show sys version');
    const lines = out.split('\n');
    expect(lines.slice(0, 4)).toEqual(['', 'Sys::Version', 'Main Package', '  Product     openltm']);
    expect(lines[4]).toMatch(/^ {2}Version {5}\d+\.\d+\.\d+$/);
  });

  test('list ltm virtual all-properties prints every property with a default, and one-line puts each object on one line', () => {
    t.run('create ltm pool p');
    t.run('create ltm virtual vs destination 10.0.0.1:25 pool p');
    const all = t.run('list ltm virtual vs all-properties');
    for (const line of ['    auto-lasthop default', '    connection-limit 0', '    enabled', '    mirror disabled', '    rate-limit disabled', '    source-port preserve', '    vlans-disabled']) {
      expect(all.split('\n')).toContain(line);
    }
    expect(t.run('list ltm virtual vs').split('\n')).not.toContain('    connection-limit 0');
    const one = t.run('list ltm virtual all-properties one-line');
    expect(one.split('\n')).toEqual([expect.stringMatching(/^ltm virtual vs \{ (?:[a-z-]+ [^ ]+ )*app-service none auto-lasthop default .* vlans-disabled \}$/), '']);
  });
});
