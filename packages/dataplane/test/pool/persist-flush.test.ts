/**
 * `delete ltm persistence persist-records` in the table that owns the records: each request of a
 * snapshot is applied once (snapshots repeat the requests the store keeps), removes the matching
 * records made before it was given and nothing made after, and the first snapshot only says
 * where to start (a new daemon's table holds nothing an earlier request could name).
 */
import type { PersistFlush } from '@openltm/model';
import { PersistTable, type PersistEntry } from '@openltm/dataplane';

let now = 5_000_000;
const clock = () => now;
const entry = (client: string, member: string, over: Partial<PersistEntry> = {}): PersistEntry => ({
  key: `source-address ${client} virtual /Common/vs /Common/p`, mode: 'source-address', value: client, virtual: '/Common/vs', virtualAddr: '127.0.0.1:25',
  pool: '/Common/p', member: `/Common/${member}`, nodeAddr: member, clientAddr: client, timeout: 600, ...over,
});
const flush = (seq: number, at: number, filters: PersistFlush['filters'] = {}): PersistFlush => ({ seq, at, filters });
const clients = (t: PersistTable) => t.report().records.map((r) => r.clientAddr).sort();

/** A table past its first snapshot (no requests yet), with records for .5, .6 (on m1) and .7 (on m2). */
function table(): PersistTable {
  const t = new PersistTable(clock);
  expect(t.applyFlushes([])).toEqual({ applied: 0, removed: 0, missed: 0 });
  t.record(entry('127.0.0.5', '127.0.0.1:2501'));
  t.record(entry('127.0.0.6', '127.0.0.1:2501'));
  t.record(entry('127.0.0.7', '127.0.0.1:2502', { pool: '/Common/q', key: 'source-address 127.0.0.7 virtual /Common/vs /Common/q' }));
  now += 1000;
  return t;
}

it('a request removes only the records its filters match; the next lookup of such a client misses (it chooses again)', () => {
  const t = table();
  expect(t.applyFlushes([flush(1, now, { 'client-addr': '127.0.0.5' })])).toEqual({ applied: 1, removed: 1, missed: 0 });
  expect(clients(t)).toEqual(['127.0.0.6', '127.0.0.7']);
  expect(t.lookup(entry('127.0.0.5', '').key)).toBeUndefined();
  expect(t.lookup(entry('127.0.0.6', '').key)).toBe('/Common/127.0.0.1:2501');
  // node-port, pool: each filter narrows.
  expect(t.applyFlushes([flush(1, now), flush(2, now, { 'node-port': '2502', pool: '/Common/p' })]).removed).toBe(0);
  expect(t.applyFlushes([flush(3, now, { 'node-addr': '127.0.0.1', 'node-port': '2502' })]).removed).toBe(1);
  expect(clients(t)).toEqual(['127.0.0.6']);
  // No filter: every record.
  expect(t.applyFlushes([flush(4, now)]).removed).toBe(1);
  expect(t.size).toBe(0);
});

it('each request is applied once: a record made after it, even for the same client, survives every later snapshot', () => {
  const t = table();
  const request = flush(1, now);
  expect(t.applyFlushes([request]).removed).toBe(3);
  now += 10;
  t.record(entry('127.0.0.5', '127.0.0.1:2502'));
  // The store keeps the request: later snapshots carry it again.
  expect(t.applyFlushes([request])).toEqual({ applied: 0, removed: 0, missed: 0 });
  expect(t.lookup(entry('127.0.0.5', '').key)).toBe('/Common/127.0.0.1:2502');
});

it('a record made before the request, then used after it but before the daemon read it, is removed (it existed when the command was given)', () => {
  const t = table();
  const at = now;
  now += 50;
  expect(t.lookup(entry('127.0.0.5', '').key)).toBe('/Common/127.0.0.1:2501'); // refreshed after the command
  expect(t.applyFlushes([flush(1, at, { 'client-addr': '127.0.0.5' })]).removed).toBe(1);
  // One made after the command (a replacement) is not.
  const u = table();
  const at2 = now;
  now += 50;
  u.record(entry('127.0.0.6', '127.0.0.1:2502'));
  expect(u.applyFlushes([flush(1, at2)]).removed).toBe(2);
  expect(clients(u)).toEqual(['127.0.0.6']);
});

it('the first snapshot applies nothing, whatever it carries: requests given before the daemon started are not applied to records it makes', () => {
  const t = new PersistTable(clock);
  expect(t.applyFlushes([flush(6, now + 60_000), flush(7, now + 60_000)])).toEqual({ applied: 0, removed: 0, missed: 0 });
  t.record(entry('127.0.0.5', '127.0.0.1:2501'));
  expect(t.applyFlushes([flush(6, now + 60_000), flush(7, now + 60_000)]).removed).toBe(0);
  expect(t.size).toBe(1);
  // The next request is applied.
  expect(t.applyFlushes([flush(7, now + 60_000), flush(8, now)])).toEqual({ applied: 1, removed: 1, missed: 0 });
});

it('requests are applied in sequence order; requests pruned before the table saw them are counted as missed', () => {
  const t = table();
  // Out of order in the snapshot: 3 is applied after 2, and the highest applied is 3.
  expect(t.applyFlushes([flush(3, now, { 'client-addr': '127.0.0.6' }), flush(2, now, { 'client-addr': '127.0.0.5' })])).toEqual({ applied: 2, removed: 2, missed: 1 });
  expect(t.applyFlushes([flush(4, now)])).toEqual({ applied: 1, removed: 1, missed: 0 });
  expect(t.applyFlushes([flush(9, now)]).missed).toBe(4);
});

it('a report after a request no longer lists the removed records; each record says when it was made', () => {
  const t = table();
  const before = t.report();
  expect(before.records.every((r) => r.created === now - 1000)).toBe(true);
  t.applyFlushes([flush(1, now, { 'client-addr': '127.0.0.7' })]);
  const after = t.report();
  expect(after).not.toBe(before);
  expect(after.total).toBe(2);
});
