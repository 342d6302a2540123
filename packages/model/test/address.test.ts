import { parseDestination, formatDestination, parseMemberName, isCidr, isNetmask } from '@openltm/model';

describe('destinations as tmsh writes them', () => {
  it.each([
    ['10.0.0.1:25', { address: '10.0.0.1', family: 4, port: 25 }],
    ['10.0.0.1:smtp', { address: '10.0.0.1', family: 4, port: 25 }],
    ['10.0.0.1%2:25', { address: '10.0.0.1', family: 4, port: 25, routeDomain: 2 }],
    ['/Common/192.0.2.10:25', { address: '192.0.2.10', family: 4, port: 25, partition: 'Common' }],
    ['2001:db8::1.25', { address: '2001:db8::1', family: 6, port: 25 }],
    ['dead:beef::1.80', { address: 'dead:beef::1', family: 6, port: 80 }],
  ])('%s', (text, expected) => {
    expect(parseDestination(text)).toEqual(expected);
  });

  it.each(['10.0.0.1', '999.1.1.1:25', '10.0.0.1:70000', '10.0.0.1:nosuchservice', 'mail.example.com:25', ''])(
    'rejects %s',
    (text) => expect(parseDestination(text)).toBeUndefined(),
  );

  it('prints service names for list and numbers for save', () => {
    const d = parseDestination('192.0.2.10:25')!;
    expect(formatDestination(d)).toBe('192.0.2.10:smtp');
    expect(formatDestination(d, { numeric: true, partition: 'Common' })).toBe('/Common/192.0.2.10:25');
    expect(formatDestination(parseDestination('2001:db8::1.25')!, { numeric: true })).toBe('2001:db8::1.25');
  });

  it('splits member names into node and port', () => {
    expect(parseMemberName('10.0.0.11:25')).toEqual({ node: '10.0.0.11', port: 25 });
    expect(parseMemberName('/Common/mailhost:smtp')).toEqual({ node: '/Common/mailhost', port: 25 });
  });

  it('checks masks and CIDRs', () => {
    expect(isNetmask('255.255.255.0')).toBe(true);
    expect(isNetmask('255.0.255.0')).toBe(false);
    expect(isCidr('0.0.0.0/0')).toBe(true);
    expect(isCidr('10.0.0.0/33')).toBe(false);
  });
});
