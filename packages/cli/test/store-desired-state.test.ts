/**
 * The daemon's reading of the store: one consistent snapshot, incremental after the first read
 * (another process's edit re-reads only what it changed), client-ssl specs shared per profile,
 * and a PEM missing from the store reported instead of skipped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Session, Store } from '@openltm/store';
import { DesiredStateReader } from '../src/daemon/store-desired-state';

let dir: string;
let writer: Store;
let daemon: Store;
const session = new Session();
const run = (line: string) => writer.execute(line, session);
const profiles = 'profiles replace-all-with { /Common/tcp { } s_req { } /Common/clientssl { context clientside } }';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openltm-dss-'));
  writer = Store.open(join(dir, 'config.db'));
  run('create ltm profile smtps s_req activation-mode require');
  run('create ltm pool p members replace-all-with { 10.0.0.1:25 { address 10.0.0.1 } 10.0.0.2:25 { address 10.0.0.2 } }');
  for (let i = 1; i <= 3; i++) run(`create ltm virtual vs${i} destination 192.0.2.${i}:25 pool p ${profiles}`);
  daemon = Store.open(join(dir, 'config.db'));
});

afterEach(() => {
  daemon.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

test('virtuals on one client-ssl profile share one spec, with the certificate and key from the store', () => {
  const d = new DesiredStateReader(daemon).read();
  expect(d.virtuals.map((v) => v.name)).toEqual(['/Common/vs1', '/Common/vs2', '/Common/vs3']);
  const ssl = d.virtuals[0].clientSsl!;
  expect(ssl.certKeyChain[0].cert).toContain('BEGIN CERTIFICATE');
  expect(ssl.certKeyChain[0].key).toContain('PRIVATE KEY');
  expect(d.virtuals.every((v) => v.clientSsl === ssl)).toBe(true);
});

test('edits by another process are read incrementally: unchanged specs keep their identity, changed ones follow', () => {
  const reader = new DesiredStateReader(daemon);
  const before = reader.read();
  run(`create ltm virtual vs4 destination 192.0.2.4:25 pool p ${profiles}`);
  run('modify ltm virtual vs2 connection-limit 7');
  run('delete ltm virtual vs3');
  run('modify ltm node 10.0.0.2 state user-down');
  const after = reader.read();
  expect(after.generation).toBe(writer.generation());
  expect(after.virtuals.map((v) => v.name).sort()).toEqual(['/Common/vs1', '/Common/vs2', '/Common/vs4']);
  expect(after.virtuals.find((v) => v.name === '/Common/vs1')).toBe(before.virtuals[0]);
  expect(after.virtuals.find((v) => v.name === '/Common/vs2')!.connectionLimit).toBe(7);
  expect(after.pools[0].members.map((m) => m.state)).toEqual(['user-up', 'user-down']);
  // The same answer as a reader starting from scratch.
  const fresh = new DesiredStateReader(daemon).read();
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  expect(byName(after.virtuals)).toEqual(byName(fresh.virtuals));
  expect(after.pools).toEqual(fresh.pools);
});

test('a delete of persistence records by another process reaches the next snapshot (no object changed), and stays in later ones', () => {
  const reader = new DesiredStateReader(daemon);
  const before = reader.read();
  expect(before.persistFlushes).toEqual([]);
  run('delete ltm persistence persist-records client-addr 127.0.0.5 pool p');
  const after = reader.read();
  expect(after.generation).toBe(writer.generation());
  expect(after.generation).toBeGreaterThan(before.generation);
  expect(after.persistFlushes).toEqual([expect.objectContaining({ seq: 1, filters: { 'client-addr': '127.0.0.5', pool: '/Common/p' } })]);
  // Read incrementally: the specs are the same objects.
  expect(after.virtuals[0]).toBe(before.virtuals[0]);
  run('modify ltm virtual vs2 connection-limit 7');
  expect(reader.read().persistFlushes!.map((f) => f.seq)).toEqual([1]);
  expect(new DesiredStateReader(daemon).read().persistFlushes!.map((f) => f.seq)).toEqual([1]);
});

test('a profile edit re-reads everything and every virtual on it sees the change', () => {
  const reader = new DesiredStateReader(daemon);
  reader.read();
  run('modify ltm profile smtps s_req activation-mode allow');
  expect(reader.read().virtuals.map((v) => v.smtps?.activationMode)).toEqual(['allow', 'allow', 'allow']);
});

test('a PEM missing from the store is logged as an error and the profile loads no pair, never a silent skip', () => {
  const keyName = (daemon.getEffective('ltm profile client-ssl', '/Common/clientssl')!.properties['cert-key-chain'] as Record<string, { key: string }>);
  const key = Object.values(keyName)[0].key;
  const raw = new Database(join(dir, 'config.db'));
  raw.prepare("DELETE FROM files WHERE object_id = (SELECT id FROM objects WHERE type = 'sys file ssl-key' AND path = ?)").run(key);
  raw.close();
  const lines: string[] = [];
  const logger = pino(new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  const d = new DesiredStateReader(daemon, logger).read();
  expect(d.virtuals[0].clientSsl!.certKeyChain).toEqual([]);
  const error = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 50);
  expect(error?.msg).toContain(`sys file ssl-key ${key} has no key material in the store`);
  expect(lines.join('')).not.toContain('PRIVATE KEY');
});

test('a virtual address edit reaches every virtual on the address, incrementally: enabled no disables them, connection-limit is shared', () => {
  run(`create ltm virtual vs1b destination 192.0.2.1:587 pool p ${profiles}`);
  const reader = new DesiredStateReader(daemon);
  const before = reader.read();
  expect(before.virtuals.every((v) => v.enabled && v.addressLimit === undefined)).toBe(true);
  run('modify ltm virtual-address 192.0.2.1 enabled no connection-limit 10');
  const after = reader.read();
  const on = after.virtuals.filter((v) => v.address === '192.0.2.1');
  expect(on.map((v) => [v.name, v.enabled, v.addressLimit])).toEqual([
    ['/Common/vs1', false, { name: '/Common/192.0.2.1', limit: 10 }],
    ['/Common/vs1b', false, { name: '/Common/192.0.2.1', limit: 10 }],
  ]);
  // Virtuals on other addresses keep their spec objects.
  expect(after.virtuals.find((v) => v.name === '/Common/vs2')).toBe(before.virtuals.find((v) => v.name === '/Common/vs2'));
  const fresh = new DesiredStateReader(daemon).read();
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  expect(byName(after.virtuals)).toEqual(byName(fresh.virtuals));
});

test('members of an FQDN node (stored only: no address) are left out of the pool the data plane sees', () => {
  run('create ltm node api.example.com fqdn { name api.example.com }');
  run('modify ltm pool p members add { api.example.com:25 { } }');
  const pool = new DesiredStateReader(daemon).read().pools.find((x) => x.name === '/Common/p')!;
  expect(pool.members.map((m) => m.name)).toEqual(['/Common/10.0.0.1:25', '/Common/10.0.0.2:25']);
});

test('SNAT pool members are read through their translations (a disabled one skipped); bare addresses from an older store are used as they are', () => {
  run('create ltm snatpool sp members { 10.9.0.1 10.9.0.2 }');
  run('modify ltm snat-translation 10.9.0.2 disabled');
  run('modify ltm virtual vs1 source-address-translation { type snat pool sp }');
  expect(new DesiredStateReader(daemon).read().virtuals.find((v) => v.name === '/Common/vs1')!.snat).toEqual({ type: 'snat', pool: '/Common/sp', addresses: ['10.9.0.1'] });
  // As an earlier openltm stored them: addresses, not translation names.
  const raw = new Database(join(dir, 'config.db'));
  raw.prepare("UPDATE objects SET props = ? WHERE type = 'ltm snatpool' AND path = '/Common/sp'").run(JSON.stringify({ members: ['10.9.0.3', '10.9.0.4'] }));
  raw.close();
  const reopened = Store.open(join(dir, 'config.db'));
  try {
    expect(new DesiredStateReader(reopened).read().virtuals.find((v) => v.name === '/Common/vs1')!.snat).toEqual({ type: 'snat', pool: '/Common/sp', addresses: ['10.9.0.3', '10.9.0.4'] });
    // Changed with tmsh, the pool's members become translation names.
    reopened.execute('modify ltm snatpool sp description legacy', new Session());
    expect(reopened.getEffective('ltm snatpool', '/Common/sp')!.properties.members).toEqual(['/Common/10.9.0.3', '/Common/10.9.0.4']);
    expect(reopened.names('ltm snat-translation')).toEqual(expect.arrayContaining(['10.9.0.3', '10.9.0.4']));
  } finally {
    reopened.close();
  }
});

test('a virtual kept from a loaded file but not served (a BIG-IP http profile) gets no spec; the others are unchanged', () => {
  const file = join(dir, 'estate.conf');
  writeFileSync(file, [
    'ltm virtual /Common/web {',
    '    destination /Common/192.0.2.80:80',
    '    ip-protocol tcp',
    '    pool /Common/p',
    '    profiles {',
    '        /Common/http { }',
    '        /Common/tcp { }',
    '    }',
    '}',
    '',
  ].join('\n'));
  expect(run(`load sys config merge file ${file}`).output).toContain('/Common/web: profile /Common/http is not supported: it is ltm profile http (a BIG-IP built-in), which openltm does not serve.');
  const d = new DesiredStateReader(daemon).read();
  expect(d.virtuals.map((v) => v.name)).toEqual(['/Common/vs1', '/Common/vs2', '/Common/vs3']);
  // Made servable, it is served.
  run('modify ltm virtual web profiles replace-all-with { /Common/tcp { } }');
  expect(new DesiredStateReader(daemon).read().virtuals.map((v) => v.name)).toContain('/Common/web');
});

test('an FQDN pool member kept from a loaded file never reaches the data plane (no address to connect to)', () => {
  const file = join(dir, 'fqdn.conf');
  writeFileSync(file, [
    'ltm pool /Common/mixed {',
    '    members {',
    '        /Common/dw1.lab.io:25 {',
    '            fqdn {',
    '                name mx.example.test',
    '            }',
    '        }',
    '        /Common/10.0.0.5:25 {',
    '            address 10.0.0.5',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n'));
  run(`load sys config merge file ${file}`);
  expect(run('show ltm node dw1.lab.io').output).toContain('Reason       : FQDN node: openltm does not resolve names; its pool members take no traffic');
  const pool = new DesiredStateReader(daemon).read().pools.find((p) => p.name === '/Common/mixed')!;
  expect(pool.members.map((m) => [m.name, m.address])).toEqual([['/Common/10.0.0.5:25', '10.0.0.5']]);
});
