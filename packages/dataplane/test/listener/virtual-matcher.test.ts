import { VirtualMatcher, matchEntry, type MatchEntry } from '../../src/listener/virtual-matcher';
import type { VirtualSpec } from '../../src/desired-state';

function spec(name: string, address: string, port: number, prefix?: number, source?: { address: string; prefix: number }): VirtualSpec {
  return { name, enabled: true, address, port, ...(prefix !== undefined ? { prefix } : {}), ...(source ? { source } : {}), idleTimeout: 300, connectionLimit: 0 };
}

const entry = (s: VirtualSpec, serving = true): MatchEntry => matchEntry(s, serving);

describe('VirtualMatcher: BIG-IP virtual server precedence', () => {
  const table = new VirtualMatcher([
    entry(spec('/Common/wild', '0.0.0.0', 25, 0)),
    entry(spec('/Common/net16', '10.1.0.0', 25, 16)),
    entry(spec('/Common/net24', '10.1.2.0', 25, 24)),
    entry(spec('/Common/host', '10.1.2.5', 25)),
    entry(spec('/Common/other-port', '10.1.2.5', 587)),
  ]);

  it('picks the host virtual over the networks and the wildcard that also cover it', () => {
    expect(table.match(25, '10.1.2.5', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/host' });
  });

  it('picks the longest network prefix next', () => {
    expect(table.match(25, '10.1.2.9', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/net24' });
    expect(table.match(25, '10.1.9.9', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/net16' });
  });

  it('falls back to the wildcard, and matches on the port', () => {
    expect(table.match(25, '172.16.0.1', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/wild' });
    expect(table.match(587, '10.1.2.5', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/other-port' });
    expect(table.match(587, '10.1.2.6', '192.0.2.1')).toEqual({ kind: 'none' });
    expect(table.match(465, '10.1.2.5', '192.0.2.1')).toEqual({ kind: 'none' });
  });

  it('reads an IPv4-mapped IPv6 local address as IPv4, and keeps the families apart', () => {
    expect(table.match(25, '::ffff:10.1.2.5', '::ffff:192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/host' });
    // The IPv4 wildcard does not cover IPv6 destinations.
    expect(table.match(25, '2001:db8::1', '2001:db8::2')).toEqual({ kind: 'none' });
  });

  it('orders by destination before source: a host destination with any source beats a network with a host source', () => {
    const t = new VirtualMatcher([
      entry(spec('/Common/net-src', '10.0.0.0', 25, 8, { address: '192.0.2.7', prefix: 32 })),
      entry(spec('/Common/host-any', '10.0.0.1', 25)),
    ]);
    expect(t.match(25, '10.0.0.1', '192.0.2.7')).toEqual({ kind: 'virtual', name: '/Common/host-any' });
    expect(t.match(25, '10.0.0.2', '192.0.2.7')).toEqual({ kind: 'virtual', name: '/Common/net-src' });
    expect(t.match(25, '10.0.0.2', '192.0.2.8')).toEqual({ kind: 'none' });
  });

  it('splits one destination by source, most specific source first', () => {
    const t = new VirtualMatcher([
      entry(spec('/Common/any', '127.0.0.1', 2602)),
      entry(spec('/Common/lan', '127.0.0.1', 2602, undefined, { address: '127.0.0.0', prefix: 8 })),
      entry(spec('/Common/two', '127.0.0.1', 2602, undefined, { address: '127.0.0.2', prefix: 32 })),
    ]);
    expect(t.match(2602, '127.0.0.1', '127.0.0.2')).toEqual({ kind: 'virtual', name: '/Common/two' });
    expect(t.match(2602, '127.0.0.1', '127.0.0.3')).toEqual({ kind: 'virtual', name: '/Common/lan' });
    expect(t.match(2602, '127.0.0.1', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/any' });
  });

  it('a connection matching only a source-restricted virtual from another client matches nothing', () => {
    const t = new VirtualMatcher([entry(spec('/Common/only-lan', '10.0.0.1', 25, undefined, { address: '10.0.0.0', prefix: 8 }))]);
    expect(t.match(25, '10.0.0.1', '192.0.2.1')).toEqual({ kind: 'none' });
    expect(t.match(25, '10.0.0.1', undefined)).toEqual({ kind: 'none' });
  });

  it('a disabled more specific virtual takes its connections and resets them (TM.ContinueMatching false)', () => {
    const t = new VirtualMatcher([entry(spec('/Common/net', '10.1.2.0', 25, 24)), entry(spec('/Common/host', '10.1.2.5', 25), false)]);
    expect(t.match(25, '10.1.2.5', '192.0.2.1')).toEqual({ kind: 'closed', name: '/Common/host' });
    expect(t.match(25, '10.1.2.6', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/net' });
  });

  it('prefers a serving virtual over a disabled one with the same destination and source', () => {
    const t = new VirtualMatcher([entry(spec('/Common/a', '10.1.2.5', 25), false), entry(spec('/Common/b', '10.1.2.5', 25))]);
    expect(t.match(25, '10.1.2.5', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/b' });
  });

  it('matches IPv6 networks and the IPv6 wildcard', () => {
    const t = new VirtualMatcher([
      entry(spec('/Common/v6wild', '::', 25, 0)),
      entry(spec('/Common/v6net', '2001:db8:0:1::', 25, 64)),
      entry(spec('/Common/v6host', '2001:db8:0:1::25', 25)),
    ]);
    expect(t.match(25, '2001:db8:0:1::25', '2001:db8::9')).toEqual({ kind: 'virtual', name: '/Common/v6host' });
    expect(t.match(25, '2001:db8:0:1:ffff::1', '2001:db8::9')).toEqual({ kind: 'virtual', name: '/Common/v6net' });
    expect(t.match(25, '2001:db8:0:2::1', '2001:db8::9')).toEqual({ kind: 'virtual', name: '/Common/v6wild' });
    expect(t.match(25, '10.0.0.1', '10.0.0.2')).toEqual({ kind: 'none' });
  });
});

describe('VirtualMatcher: entries set and removed one at a time', () => {
  it('a host virtual added under a network takes its address; removed, the network has it back', () => {
    const t = new VirtualMatcher([entry(spec('/Common/net', '127.0.4.0', 2600, 24))]);
    expect(t.match(2600, '127.0.4.5', '127.0.0.1')).toEqual({ kind: 'virtual', name: '/Common/net' });
    t.set(entry(spec('/Common/host', '127.0.4.5', 2600)));
    expect(t.match(2600, '127.0.4.5', '127.0.0.1')).toEqual({ kind: 'virtual', name: '/Common/host' });
    t.set(entry(spec('/Common/host', '127.0.4.5', 2600), false));
    expect(t.match(2600, '127.0.4.5', '127.0.0.1')).toEqual({ kind: 'closed', name: '/Common/host' });
    t.remove('/Common/host');
    expect(t.match(2600, '127.0.4.5', '127.0.0.1')).toEqual({ kind: 'virtual', name: '/Common/net' });
    t.remove('/Common/net');
    expect(t.match(2600, '127.0.4.5', '127.0.0.1')).toEqual({ kind: 'none' });
    expect(t.size).toBe(0);
  });

  it('moving a virtual (set again under the same name) leaves nothing at its old place', () => {
    const t = new VirtualMatcher([entry(spec('/Common/v', '10.0.0.1', 25))]);
    t.set(entry(spec('/Common/v', '10.0.0.0', 25, 8)));
    expect(t.match(25, '10.0.0.1', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/v' });
    expect(t.match(25, '10.9.0.1', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/v' });
    t.set(entry(spec('/Common/v', '10.0.0.1', 587)));
    expect(t.match(25, '10.0.0.1', '192.0.2.1')).toEqual({ kind: 'none' });
    expect(t.size).toBe(1);
  });

  it('10,000 host virtuals on one port: each address finds its own', () => {
    const entries: MatchEntry[] = [];
    for (let i = 0; i < 10_000; i++) entries.push(entry(spec(`/Common/h${i}`, `10.${(i >> 8) & 255}.${i & 255}.1`, 25)));
    entries.push(entry(spec('/Common/wild', '0.0.0.0', 25, 0)));
    const t = new VirtualMatcher(entries);
    expect(t.match(25, '10.39.15.1', '192.0.2.1')).toEqual({ kind: 'virtual', name: `/Common/h${39 * 256 + 15}` });
    expect(t.match(25, '10.39.15.2', '192.0.2.1')).toEqual({ kind: 'virtual', name: '/Common/wild' });
  });
});
