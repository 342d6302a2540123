/** Status writes: only what changed is written, and nothing of a daemon that is gone is left. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MemberStatus, VirtualStats, VirtualStatus } from '@openltm/model';
import { Store } from '@openltm/store';
import { tempDir } from './helpers';

const stats = (clientTotConns: number): VirtualStats => ({
  clientCurConns: 0, clientMaxConns: 0, clientTotConns, clientBytesIn: 0, clientBytesOut: 0, starttlsOffered: 0, starttlsUpgraded: 0,
  refusedBeforeTls: 0, tlsHandshakeFailures: 0, pipelinedDiscarded: 0, smugglingBlocked: 0, connectionLimitRejected: 0, rateLimitRejected: 0,
  sourceLimitRejected: 0, sessionTimeouts: 0, messages: 0, authRefusedBeforeTls: 0, earlyTalkers: 0, clientCertValid: 0, clientCertInvalid: 0, clientCertNone: 0,
  xclientSent: 0, xclientFallbacks: 0,
});
const virtual = (name: string, total: number): VirtualStatus => ({ name, availability: 'available', state: 'enabled', reason: 'ok', stats: stats(total) });
const member = (name: string): MemberStatus => ({ pool: '/Common/p', member: name, availability: 'available', monitorStatus: 'up', reason: 'ok', stats: { curConns: 0, maxConns: 0, totConns: 1, bytesIn: 0, bytesOut: 0 } });
const report = (virtuals: VirtualStatus[], members: MemberStatus[] = []) => ({ generation: 1, at: Date.now(), virtuals, members });

let dir: string;
const opened: Store[] = [];
const open = (): Store => {
  const s = Store.open(path.join(dir, 'config.db'));
  opened.push(s);
  return s;
};
beforeEach(() => (dir = tempDir()));
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a new daemon\'s first report removes the rows the previous one left; later reports follow every change', () => {
  const old = open();
  expect(old.writeStatus(report([virtual('/Common/a', 1), virtual('/Common/gone', 1)], [member('/Common/10.0.0.1:25')]))).toBe(true);
  old.close();
  const store = open();
  const list = [virtual('/Common/a', 2)];
  expect(store.writeStatus(report(list))).toBe(true);
  expect(store.virtualStatus('/Common/gone')).toBeUndefined();
  expect(store.memberStatus('/Common/p', '/Common/10.0.0.1:25')).toBeUndefined();
  expect(store.virtualStatus('/Common/a')?.stats.clientTotConns).toBe(2);
  // A new object for a virtual that changed, in a new list with a new virtual.
  store.writeStatus(report([virtual('/Common/a', 3), virtual('/Common/b', 1)]));
  expect(store.virtualStatus('/Common/a')?.stats.clientTotConns).toBe(3);
  expect(store.virtualStatus('/Common/b')?.stats.clientTotConns).toBe(1);
  // A virtual no longer reported loses its row, even when the list keeps its length.
  store.writeStatus(report([virtual('/Common/a', 3), virtual('/Common/c', 1)]));
  expect(store.virtualStatus('/Common/b')).toBeUndefined();
  expect(store.virtualStatus('/Common/c')).toBeDefined();
});

test('the same list (or the same objects) handed again is taken as unchanged: the writer must hand a new object for a change', () => {
  const store = open();
  const a = virtual('/Common/a', 1);
  const list = [a];
  store.writeStatus(report(list));
  // The contract the data plane keeps: an object handed in is not changed afterwards. Breaking
  // it here shows the writer trusts identity (no JSON of unchanged rows).
  a.stats.clientTotConns = 99;
  store.writeStatus(report(list));
  store.writeStatus(report([a]));
  expect(store.virtualStatus('/Common/a')?.stats.clientTotConns).toBe(1);
  store.writeStatus(report([virtual('/Common/a', 5)]));
  expect(store.virtualStatus('/Common/a')?.stats.clientTotConns).toBe(5);
});
