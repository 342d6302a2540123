import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import { ErrorCodes } from '@openltm/model';
import { SCHEMA_VERSION, Store } from '@openltm/store';
import { itSqlite, openStoreAt, openTestStore, tempDir, type TestStore } from './helpers';

describe('the store file', () => {
  let t: TestStore;
  beforeEach(() => (t = openTestStore()));
  afterEach(() => t.cleanup());

  itSqlite('is created with mode 0600, in WAL mode, at the current schema version', () => {
    expect(fs.statSync(t.file).mode & 0o777).toBe(0o600);
    t.run('create ltm pool p1');
    expect(fs.statSync(`${t.file}-wal`).mode & 0o777).toBe(0o600);
    const db = new Database(t.file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version FROM schema_version').pluck().get()).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('has the built-in objects of a fresh BIG-IP', () => {
    expect(t.run('list ltm profile smtps smtps')).toBe('ltm profile smtps smtps {\n    activation-mode require\n    app-service none\n}\n');
    expect(t.run('list ltm profile client-ssl clientssl cert-key-chain')).toContain('cert default.crt');
    expect(t.store.names('ltm profile server-ssl')).toEqual(['serverssl']);
    expect(t.store.names('ltm profile tcp')).toEqual(['tcp']);
    expect(t.store.names('ltm monitor smtp')).toEqual(['smtp']);
    expect(t.store.names('ltm monitor tcp')).toEqual(['tcp']);
    expect(t.store.names('sys file ssl-cert')).toEqual(['default.crt']);
    expect(t.store.pem('sys file ssl-key', 'default.key')?.pem).toContain('PRIVATE KEY');
  });

  it('refuses to delete built-ins by name, and skips them in delete all', () => {
    expect(t.fail('delete ltm profile smtps smtps').code).toBe(ErrorCodes.CONFIG_ERROR);
    t.run('create ltm profile smtps mine');
    t.run('delete ltm profile smtps all');
    expect(t.store.names('ltm profile smtps')).toEqual(['smtps']);
  });

  it('built-ins can be modified, and children follow them', () => {
    t.run('create ltm profile tcp t1');
    t.run('modify ltm profile tcp tcp idle-timeout 600');
    expect(t.store.getEffective('ltm profile tcp', 't1')?.properties['idle-timeout']).toBe('600');
  });

  it('keeps its contents when reopened and does not seed the built-ins twice', () => {
    t.run('create ltm pool p1');
    t.store.close();
    const again = openStoreAt(t.file);
    try {
      expect(again.names('ltm pool')).toEqual(['p1']);
      expect(again.names('ltm profile smtps')).toEqual(['smtps']);
    } finally {
      again.close();
    }
  });
});

describe('the generation', () => {
  let t: TestStore;
  beforeEach(() => (t = openTestStore()));
  afterEach(() => t.cleanup());

  it('moves by one per committed change and not on reads or failures', () => {
    const g0 = t.store.generation();
    t.run('create ltm pool p1');
    expect(t.store.generation()).toBe(g0 + 1);
    t.run('list ltm pool');
    t.run('show ltm pool p1');
    expect(t.store.generation()).toBe(g0 + 1);
    t.fail('create ltm pool p1');
    t.fail('modify ltm pool p1 monitor nope');
    expect(t.store.generation()).toBe(g0 + 1);
    t.store.executeScript('create ltm pool p2\ncreate ltm pool p3\n');
    expect(t.store.generation()).toBe(g0 + 2);
  });

  it('is seen by a second connection to the same file', () => {
    const other = openStoreAt(t.file);
    try {
      const g = other.generation();
      t.run('create ltm pool p1');
      expect(other.generation()).toBe(g + 1);
      expect(other.names('ltm pool')).toEqual(['p1']);
    } finally {
      other.close();
    }
  });

  it('a failed command changes nothing', () => {
    t.run('create ltm pool p1 members add { 10.0.0.1:25 }');
    t.fail('modify ltm pool p1 members add { 10.0.0.2:25 } monitor missing_mon');
    expect(t.run('list ltm pool p1 members')).not.toContain('10.0.0.2');
    expect(t.store.names('ltm node')).toEqual(['10.0.0.1']);
  });
});

describe('opening', () => {
  itSqlite('creates missing files only; an existing non-store file is refused', () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(`${dir}/junk.db`, 'not a database');
      expect(() => Store.open(`${dir}/junk.db`)).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
