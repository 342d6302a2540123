import type { StatusReport } from '@openltm/model';
import Database from 'better-sqlite3';
import { itSqlite, openStoreAt, openTestStore, seedScenario, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  seedScenario(t);
});
afterEach(() => t.cleanup());

function report(bytesIn: number, totConns: number): StatusReport {
  return {
    generation: t.store.generation(),
    at: Date.now(),
    virtuals: [{
      name: '/Common/vs_smtp', availability: 'available', state: 'enabled', reason: 'The virtual server is available',
      stats: {
        clientCurConns: 2, clientMaxConns: 5, clientTotConns: totConns, clientBytesIn: bytesIn, clientBytesOut: 225, starttlsOffered: 40,
        starttlsUpgraded: 38, refusedBeforeTls: 3, tlsHandshakeFailures: 1, pipelinedDiscarded: 0, smugglingBlocked: 0, connectionLimitRejected: 0, messages: 12,
        rateLimitRejected: 0, sourceLimitRejected: 0, sessionTimeouts: 0, authRefusedBeforeTls: 4, earlyTalkers: 6,
        clientCertValid: 4, clientCertInvalid: 1, clientCertNone: 0,
      },
    }],
    members: [
      { pool: '/Common/smtp_pool', member: '/Common/10.0.0.11:25', availability: 'available', monitorStatus: 'up', reason: 'Pool member is available', stats: { curConns: 1, maxConns: 3, totConns: 20, bytesIn: 1000, bytesOut: 2000 } },
      { pool: '/Common/smtp_pool', member: '/Common/10.0.0.12:25', availability: 'offline', monitorStatus: 'down', reason: 'Pool member has been marked down by a monitor', stats: { curConns: 0, maxConns: 1, totConns: 2, bytesIn: 10, bytesOut: 20 } },
    ],
  };
}

describe('show before a data plane reports', () => {
  it('prints configuration with availability unknown', () => {
    const out = t.run('show ltm virtual vs_smtp');
    expect(out).toContain('Ltm::Virtual Server: vs_smtp\n');
    expect(out).toMatch(/Availability +: unknown/);
    expect(out).toMatch(/Destination +: 192\.0\.2\.10:25/);
    expect(t.run('show ltm pool smtp_pool')).toMatch(/Total Members : 2/);
    expect(t.run('show ltm node 10.0.0.11')).toContain('Ltm::Node: 10.0.0.11 (10.0.0.11)');
  });
});

describe('show with a status report', () => {
  it('prints counters as bits, auto-scaled unless raw, and the SMTP lines', () => {
    t.store.writeStatus(report(225_000, 1500));
    const g = t.store.generation();
    const out = t.run('show ltm virtual vs_smtp');
    expect(t.store.generation()).toBe(g); // status is not configuration
    expect(out).toMatch(/Availability +: available/);
    expect(out).toMatch(/Reason +: The virtual server is available/);
    expect(out).toMatch(/\n {2}Bits In +1\.8M +0 +-\n/);
    expect(out).toMatch(/\n {2}Bits Out +1\.8K +0 +-\n/);
    expect(out).toMatch(/\n {2}Total Connections +1\.5K/);
    expect(out).toMatch(/\n {2}STARTTLS Offered +40\n {2}STARTTLS Upgraded +38\n {2}Refused Before TLS +3\n {2}AUTH Refused Before TLS +4\n {2}TLS Handshake Failures +1\n/);
    expect(out).toMatch(/\n {2}Early Talkers Refused +6\n/);
    expect(t.run('show ltm virtual vs_smtp raw')).toMatch(/\n {2}Bits In +1800000 +0 +-\n/);
  });

  it('pool and members: availability from members, member blocks, list state', () => {
    t.store.writeStatus(report(0, 0));
    const out = t.run('show ltm pool smtp_pool members');
    expect(out).toMatch(/Availability : available/);
    expect(out).toMatch(/Current Active Members : 1/);
    expect(out).toMatch(/\| Ltm::Pool Member: 10\.0\.0\.12:25\n[\s\S]*Monitor Status : down/);
    expect(out).toMatch(/\n {2}Bits In +8\.1K\n/);
    expect(t.run('list ltm pool smtp_pool')).toMatch(/10\.0\.0\.11:smtp \{\n\s+address 10\.0\.0\.11\n\s+session monitor-enabled\n\s+state up\n/);
    expect(t.run('show ltm node 10.0.0.12')).toMatch(/Availability : offline/);
  });

  it('reset-stats records a baseline; show prints counters since it while the data plane keeps counting', () => {
    t.store.writeStatus(report(1000, 10));
    t.run('reset-stats ltm virtual vs_smtp');
    expect(t.run('show ltm virtual vs_smtp raw')).toMatch(/\n {2}Total Connections +0 /);
    t.store.writeStatus(report(1500, 14));
    const out = t.run('show ltm virtual vs_smtp raw');
    expect(out).toMatch(/\n {2}Total Connections +4 /);
    expect(out).toMatch(/\n {2}Bits In +4000 /);
    expect(out).toMatch(/\n {2}Current Connections +2 /);
    t.run('reset-stats ltm pool smtp_pool');
    expect(t.run('show ltm pool smtp_pool raw')).toMatch(/\n {2}Total Connections +0\n/);
  });
});

describe('status written by a daemon', () => {
  it('CMP lines follow the process model the daemon reported', () => {
    expect(t.run('show ltm virtual vs_smtp')).toMatch(/CMP +: unknown\n +CMP Mode +: unknown/);
    t.store.writeStatus({ ...report(0, 0), cmp: { workers: 0, cpus: 8 } });
    expect(t.run('show ltm virtual vs_smtp')).toMatch(/CMP +: disabled\n +CMP Mode +: single/);
    t.store.writeStatus({ ...report(0, 0), cmp: { workers: 3, cpus: 8 } });
    expect(t.run('show ltm virtual vs_smtp')).toMatch(/CMP +: enabled\n +CMP Mode +: 3 of 8 cpus/);
    t.store.writeStatus({ ...report(0, 0), cmp: { workers: 8, cpus: 8 } });
    expect(t.run('show ltm virtual vs_smtp')).toMatch(/CMP +: enabled\n +CMP Mode +: all-cpus/);
  });

  it('a member no longer reported loses its status, also when an earlier daemon wrote it', () => {
    t.store.writeStatus(report(0, 0));
    expect(t.run('show ltm pool smtp_pool members')).toMatch(/10\.0\.0\.12:25[\s\S]*offline/);
    // A new daemon (a second store handle) reports only one member: the other's row goes.
    const second = openStoreAt(t.file);
    try {
      const r = report(0, 0);
      second.writeStatus({ ...r, members: r.members.slice(0, 1) });
      second.writeStatus({ ...r, members: r.members.slice(0, 1) });
    } finally {
      second.close();
    }
    const out = t.run('show ltm pool smtp_pool members');
    const block12 = out.slice(out.indexOf('10.0.0.12:25'));
    expect(block12).not.toMatch(/offline/);
    expect(block12).toMatch(/Availability +: unknown/);
  });

  itSqlite('a status write never waits for a writer holding the lock: it reports false and the next one lands', () => {
    // Another process in the middle of a long write (a `load`): it holds the write lock.
    const other = new Database(t.file);
    try {
      const db = other;
      db.exec('BEGIN IMMEDIATE');
      expect(t.store.writeStatus(report(100, 1), { busyTimeoutMs: 0 })).toBe(false);
      db.exec('COMMIT');
    } finally {
      other.close();
    }
    expect(t.store.writeStatus(report(100, 1), { busyTimeoutMs: 0 })).toBe(true);
    expect(t.run('show ltm virtual vs_smtp')).toMatch(/Total Connections +1 /);
  });
});
