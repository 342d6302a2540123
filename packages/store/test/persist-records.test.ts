/**
 * `show` and `delete ltm persistence persist-records` on the store (both drivers): delete keeps a
 * request (filters resolved from the session's folder, a sequence number, when it was given) that
 * another process (the daemon) reads, and show hides the records it removed before the daemon's
 * next report; records made after it are shown. Old requests are pruned; bad filters are refused.
 */
import type { PersistRecordStatus, StatusReport } from '@openltm/model';
import { flushesToPrune } from '../src/persist-flushes';
import { openBackendAt, openStoreAt, openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  t.run('create auth partition P');
});
afterEach(() => t.cleanup());

const record = (client: string, over: Partial<PersistRecordStatus> = {}): PersistRecordStatus => ({
  mode: 'source-address', value: client, virtual: '/Common/vs', virtualAddr: '192.0.2.1:25', pool: '/Common/p', member: '/Common/10.0.0.11:25',
  nodeAddr: '10.0.0.11:25', clientAddr: client, lastUsed: Date.now() - 1000, created: Date.now() - 5000, timeout: 600, ...over,
});
const report = (records: PersistRecordStatus[]): StatusReport => ({ generation: t.store.generation(), at: Date.now(), virtuals: [], members: [], persistence: { total: records.length, records } });
const listed = (out: string) => out.split('\n').filter((l) => l.startsWith('source-address')).map((l) => l.split(/\s+/)[1]);

it('delete with a filter prints nothing; show at once lists the other records only, and the request is in the store for the daemon', () => {
  t.store.writeStatus(report([record('127.0.0.5'), record('127.0.0.6'), record('127.0.0.7', { pool: '/P/p', virtual: '/P/vs' })]));
  expect(listed(t.run('show ltm persistence persist-records'))).toEqual(['127.0.0.5', '127.0.0.6', '127.0.0.7']);
  const generation = t.store.generation();
  expect(t.run('delete ltm persistence persist-records client-addr 127.0.0.5')).toBe('');
  // The commit moved the generation: a daemon polling it reads its desired state again.
  expect(t.store.generation()).toBeGreaterThan(generation);
  expect(listed(t.run('show ltm persistence persist-records'))).toEqual(['127.0.0.6', '127.0.0.7']);
  expect(t.run('show ltm persistence persist-records client-addr 127.0.0.5')).toContain('Total records returned: 0');
  // Another process (the daemon) reads the request.
  const daemon = openStoreAt(t.file);
  try {
    const [flush] = daemon.persistFlushes();
    expect(flush).toMatchObject({ seq: 1, filters: { 'client-addr': '127.0.0.5' } });
    expect(flush!.at).toBeGreaterThan(Date.now() - 60_000);
  } finally {
    daemon.close();
  }
});

it('names are resolved from the folder, as show does; a record made after the request is listed (the daemon\'s new one)', () => {
  t.run('cd /P');
  t.run('delete ltm persistence persist-records pool p virtual vs');
  expect(t.store.persistFlushes().map((f) => f.filters)).toEqual([{ pool: '/P/p', virtual: '/P/vs' }]);
  const at = t.store.persistFlushes()[0]!.at;
  t.store.writeStatus(report([record('127.0.0.5'), record('127.0.0.7', { pool: '/P/p', virtual: '/P/vs' }), record('127.0.0.8', { pool: '/P/p', virtual: '/P/vs', created: at + 1 })]));
  expect(listed(t.run('show ltm persistence persist-records'))).toEqual(['127.0.0.5', '127.0.0.8']);
  // No filter: every record made before it.
  t.run('delete ltm persistence persist-records');
  expect(listed(t.run('show ltm persistence persist-records'))).toEqual([]);
  expect(t.store.persistFlushes().map((f) => f.seq)).toEqual([1, 2]);
});

it('without a running daemon the command succeeds (nothing to remove); a daemon started later makes records that are listed', () => {
  expect(t.run('delete ltm persistence persist-records node-addr 10.0.0.11 node-port 25')).toBe('');
  const after = t.store.persistFlushes()[0]!.at + 1;
  t.store.writeStatus(report([record('127.0.0.5', { created: after, lastUsed: after })]));
  expect(listed(t.run('show ltm persistence persist-records'))).toEqual(['127.0.0.5']);
});

it('bad filters are refused and keep no request; a failing script keeps none either', () => {
  expect(t.fail('delete ltm persistence persist-records client-addr 127.0.0.300').message).toBe('"127.0.0.300" is not a valid IP address for client-addr');
  expect(t.fail('delete ltm persistence persist-records node-port 70000').message).toMatch(/"70000" is not a valid port for node-port/);
  expect(t.fail('delete ltm persistence persist-records mode sticky').message).toMatch(/"sticky" is not a persistence mode/);
  expect(t.fail('delete ltm persistence persist-records all-properties').message).toMatch(/"all-properties" unknown property/);
  expect(t.fail('delete ltm persistence persist-records client-addr').message).toMatch(/"client-addr" requires a value/);
  expect(() => t.store.executeScript('delete ltm persistence persist-records\ndelete ltm pool nosuch')).toThrow(/nosuch/);
  expect(t.store.persistFlushes()).toEqual([]);
  // An IPv6 filter is compared in canonical form.
  t.run('delete ltm persistence persist-records client-addr 2001:DB8:0:0::5');
  expect(t.store.persistFlushes()[0]!.filters).toEqual({ 'client-addr': '2001:db8::5' });
});

it('requests older than an hour are pruned when the next is given; the newest is always kept and sequence numbers go on', () => {
  const backend = openBackendAt(t.file);
  try {
    backend.write(() => backend.status.addPersistFlush({}, Date.now() - 7_200_000));
  } finally {
    backend.close();
  }
  // Kept while it is the newest.
  expect(t.store.persistFlushes().map((f) => f.seq)).toEqual([1]);
  t.run('delete ltm persistence persist-records client-addr 127.0.0.5');
  expect(t.store.persistFlushes().map((f) => f.seq)).toEqual([2]);
});

it('pruning keeps at most the newest 1,000 requests, and never the newest', () => {
  const at = (seq: number, age: number) => ({ seq, at: 10_000_000 - age, filters: {} });
  const many = Array.from({ length: 1002 }, (_, i) => at(i + 1, 0));
  expect(flushesToPrune(many, 10_000_000).map((f) => f.seq)).toEqual([1, 2]);
  expect(flushesToPrune([at(1, 3_600_001), at(2, 3_600_000), at(3, 9_000_000)], 10_000_000).map((f) => f.seq)).toEqual([1]);
});
