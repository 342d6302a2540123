/**
 * A virtual's destination, mask and source as BIG-IP stores them: every form tmsh users type
 * is written back as destination (network address and port) + mask + source, what BIG-IP
 * refuses is refused, and the 01070333 duplicate check compares destination, mask and source.
 */
import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => t.cleanup());

const listed = (name: string): string => t.run(`list ltm virtual ${name} destination mask source`);

describe('destination forms', () => {
  it('a host: the mask is 255.255.255.255', () => {
    t.run('create ltm virtual h destination 10.0.0.1:25');
    expect(listed('h')).toContain('destination 10.0.0.1:smtp');
    expect(listed('h')).toContain('mask 255.255.255.255');
  });

  it('a network written with its prefix is stored as the network address and a mask', () => {
    t.run('create ltm virtual n destination 10.0.0.0/24:25');
    expect(listed('n')).toMatch(/destination 10\.0\.0\.0:smtp\n\s+mask 255\.255\.255\.0/);
    expect(t.run('list ltm virtual n destination mask one-line')).not.toContain('/24');
  });

  it('a network written with mask, and the service names smtp, submission, smtps', () => {
    t.run('create ltm virtual a destination 10.1.0.0:submission mask 255.255.0.0');
    t.run('create ltm virtual b destination 10.2.0.0/16:smtps');
    expect(listed('a')).toMatch(/destination 10\.1\.0\.0:submission\n\s+mask 255\.255\.0\.0/);
    expect(listed('b')).toMatch(/destination 10\.2\.0\.0:smtps\n\s+mask 255\.255\.0\.0/);
  });

  it('the wildcard: any:25, 0.0.0.0:25 mask any, and 0.0.0.0:25 alone are one thing', () => {
    t.run('create ltm virtual w destination any:25');
    expect(listed('w')).toMatch(/destination 0\.0\.0\.0:smtp\n\s+mask any/);
    expect(t.fail('create ltm virtual w2 destination 0.0.0.0:25 mask any').code).toBe(ErrorCodes.DESTINATION_IN_USE);
    expect(t.fail('create ltm virtual w3 destination 0.0.0.0:25').code).toBe(ErrorCodes.DESTINATION_IN_USE);
  });

  it('IPv6: any6, a prefix, a host (whose mask is the IPv6 all-ones mask)', () => {
    t.run('create ltm virtual v6w destination any6.25');
    t.run('create ltm virtual v6n destination 2001:DB8:0:1::/64.25');
    t.run('create ltm virtual v6h destination 2001:db8::25.25');
    expect(listed('v6w')).toMatch(/destination ::\.smtp\n\s+mask any6/);
    expect(listed('v6n')).toMatch(/destination 2001:db8:0:1::\.smtp\n\s+mask ffff:ffff:ffff:ffff::/);
    expect(listed('v6h')).toContain('mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('a source prefix is kept, a bare source address is a /32', () => {
    t.run('create ltm virtual s destination 10.0.0.1:25 source 10.0.0.0/8');
    t.run('create ltm virtual s2 destination 10.0.0.2:25 source 192.0.2.7');
    expect(listed('s')).toContain('source 10.0.0.0/8');
    expect(listed('s2')).toContain('source 192.0.2.7/32');
  });

  it('saved and loaded again, the network virtual keeps its mask', () => {
    t.run('create ltm virtual n destination 10.0.0.0/24:25 source 192.0.2.0/24');
    const saved = t.run('list ltm virtual n');
    t.run('delete ltm virtual n');
    t.store.execute(saved.replace(/^ltm virtual/, 'create ltm virtual').replace(/creation-time \S+|last-modified-time \S+/g, ''), t.session);
    expect(listed('n')).toMatch(/destination 10\.0\.0\.0:smtp\n\s+mask 255\.255\.255\.0\n\s+source 192\.0\.2\.0\/24/);
  });
});

describe('what BIG-IP refuses', () => {
  it('host bits set under the mask, with the network address to use instead', () => {
    const err = t.fail('create ltm virtual bad destination 10.0.0.5/24:25');
    expect(err.code).toBe(ErrorCodes.ADDRESS_MASK);
    expect(err.toString()).toBe(
      '0107028f:3: The destination (10.0.0.5:25) address has host bits set under its mask (255.255.255.0): a network virtual is written with its network address (10.0.0.0) for virtual server (/Common/bad)',
    );
    expect(t.fail('create ltm virtual bad destination 10.0.0.5:25 mask 255.255.255.0').code).toBe(ErrorCodes.ADDRESS_MASK);
    expect(t.store.names('ltm virtual')).toEqual([]);
  });

  it('a mask of the other address family (BIG-IP 0107028f)', () => {
    const err = t.fail('create ltm virtual v6 destination 2001:db8::1.25 mask 255.255.255.255');
    expect(err.toString()).toBe(
      '0107028f:3: The destination (2001:db8::1.25) address and mask (255.255.255.255) must be be the same type (IPv4 or IPv6) for virtual server (/Common/v6)',
    );
  });

  it('a prefix and a mask that disagree, and host bits in the source', () => {
    expect(t.fail('create ltm virtual x destination 10.0.0.0/24:25 mask 255.255.0.0').message).toMatch(/prefix \/24 and mask \(255\.255\.0\.0\) disagree/);
    expect(t.fail('create ltm virtual y destination 10.0.0.1:25 source 10.0.0.1/8').message).toMatch(/source \(10\.0\.0\.1\/8\) has host bits set/);
    expect(t.fail('create ltm virtual z destination 10.0.0.1:25 source 2001:db8::/32').message).toMatch(/must be be the same type/);
  });

  it('an IPv4-mapped IPv6 destination, which no connection would reach', () => {
    expect(t.fail('create ltm virtual m destination ::ffff:10.0.0.1.25').message).toMatch(/IPv4-mapped IPv6 address: write the IPv4 address \(10\.0\.0\.1\)/);
  });

  it('a modify that would set host bits leaves the virtual as it was', () => {
    t.run('create ltm virtual n destination 10.0.1.0/24:25');
    expect(t.fail('modify ltm virtual n mask 255.255.0.0').code).toBe(ErrorCodes.ADDRESS_MASK);
    expect(t.fail('modify ltm virtual n destination 10.0.1.9:25').code).toBe(ErrorCodes.ADDRESS_MASK);
    expect(listed('n')).toMatch(/destination 10\.0\.1\.0:smtp\n\s+mask 255\.255\.255\.0/);
  });
});

describe('01070333 compares destination, mask and source', () => {
  it('one address with two masks, or two sources, are two virtuals; the same three are refused', () => {
    t.run('create ltm virtual n24 destination 10.0.0.0/24:25');
    t.run('create ltm virtual n16 destination 10.0.0.0/16:25');
    t.run('create ltm virtual host0 destination 10.0.0.0:25');
    t.run('create ltm virtual src2 destination 10.0.0.0/24:25 source 127.0.0.2/32');
    t.run('create ltm virtual src3 destination 10.0.0.0:25 mask 255.255.255.0 source 127.0.0.3/32');
    const err = t.fail('create ltm virtual dup destination 10.0.0.0:25 mask 255.255.255.0 source 127.0.0.2');
    expect(err.toString()).toBe(
      '01070333:3: Virtual Server /Common/dup illegally shares destination address, source address, service port, ip-protocol, and vlan with Virtual Server /Common/src2.',
    );
    expect(t.fail('modify ltm virtual n16 mask 255.255.255.0').message).toContain('/Common/n24');
  });

  it('a disabled virtual does not hold its match rule', () => {
    t.run('create ltm virtual a destination 10.0.0.0/24:25 disabled');
    t.run('create ltm virtual b destination 10.0.0.0/24:25');
    expect(t.fail('modify ltm virtual a enabled').code).toBe(ErrorCodes.DESTINATION_IN_USE);
  });
});
