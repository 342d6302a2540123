/** The persistence record filters of show and delete, and which records a delete request removes. */
import { flushRemoves, pendingFlushes, persistRecordMatches, type FilteredRecord, type PersistFlush } from '@openltm/model';

const v4: FilteredRecord = { mode: 'source-address', clientAddr: '127.0.0.5', nodeAddr: '10.0.0.11:25', pool: '/Common/p', virtual: '/Common/vs' };
const v6: FilteredRecord = { mode: 'source-address', clientAddr: '2001:db8::5', nodeAddr: '2001:db8::11.2525', pool: '/P/F/p', virtual: '/P/F/vs' };

it.each([
  [{}, true, true],
  [{ 'client-addr': '127.0.0.5' }, true, false],
  [{ 'client-addr': '127.0.0.6' }, false, false],
  [{ 'client-addr': '2001:db8::5' }, false, true],
  [{ 'node-addr': '10.0.0.11' }, true, false],
  [{ 'node-addr': '2001:db8::11' }, false, true],
  [{ 'node-port': '25' }, true, false],
  [{ 'node-port': '2525' }, false, true],
  [{ 'node-port': '2' }, false, false],
  [{ pool: '/Common/p' }, true, false],
  [{ pool: 'p' }, false, false],
  [{ virtual: '/P/F/vs' }, false, true],
  [{ mode: 'source-address' }, true, true],
  [{ mode: 'cookie' }, false, false],
  [{ 'client-addr': '127.0.0.5', pool: '/Common/q' }, false, false],
  [{ 'client-addr': '127.0.0.5', 'node-addr': '10.0.0.11', 'node-port': '25', pool: '/Common/p', virtual: '/Common/vs', mode: 'source-address' }, true, false],
])('filters %j: the IPv4 record %s, the IPv6 record %s', (filters, a, b) => {
  expect(persistRecordMatches(v4, filters)).toBe(a);
  expect(persistRecordMatches(v6, filters)).toBe(b);
});

it('a request removes the matching records made at or before it was given, never one made after', () => {
  const f: PersistFlush = { seq: 1, at: 1000, filters: { 'client-addr': '127.0.0.5' } };
  expect(flushRemoves(f, v4, 999)).toBe(true);
  expect(flushRemoves(f, v4, 1000)).toBe(true);
  expect(flushRemoves(f, v4, 1001)).toBe(false);
  expect(flushRemoves(f, v6, 10)).toBe(false);
});

it('pending requests are those above the last applied, in sequence order', () => {
  const f = (seq: number): PersistFlush => ({ seq, at: 0, filters: {} });
  expect(pendingFlushes([f(5), f(3), f(4)], 3).map((x) => x.seq)).toEqual([4, 5]);
  expect(pendingFlushes([f(1), f(2)], 2)).toEqual([]);
});
