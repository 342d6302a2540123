import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCodes, IMPLEMENTED_LOAD_BALANCING_MODES, LOAD_BALANCING_MODES } from '@openltm/model';
import { itSqlite, openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

const MEMBERS = 'members replace-all-with { 10.0.0.11:25 { address 10.0.0.11 } 10.0.0.12:25 { address 10.0.0.12 } }';
const unimplemented = LOAD_BALANCING_MODES.filter((m) => !(IMPLEMENTED_LOAD_BALANCING_MODES as readonly string[]).includes(m));

describe('load-balancing-mode is refused unless the data plane implements it', () => {
  test.each(unimplemented)('create with %s is refused and creates nothing', (mode) => {
    const err = t.fail(`create ltm pool p load-balancing-mode ${mode} ${MEMBERS}`);
    expect(err.code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(err.toString()).toMatch(new RegExp(`^01070734:3: Configuration error: Pool \\(/Common/p\\) load-balancing-mode ${mode} is not supported: .+\\. Supported modes: round-robin, ratio-member, `));
    expect(t.store.names('ltm pool')).toEqual([]);
    expect(t.store.names('ltm node')).toEqual([]);
  });

  test('the reason names what is missing', () => {
    expect(t.fail('create ltm pool p load-balancing-mode dynamic-ratio-member').message).toContain('performance monitor');
    expect(t.fail('create ltm pool p load-balancing-mode observed-member').message).toContain('sampled over time');
    expect(t.fail('create ltm pool p load-balancing-mode ratio-session').message).toContain('openltm has no persistence');
    expect(t.fail('create ltm pool p load-balancing-mode fastest-node').message).toContain('fastest-app-response ranks members by how fast they greet');
    expect(t.fail('create ltm pool p load-balancing-mode weighted-least-connections-node').message).toContain('does not enforce on nodes');
  });

  test('modify to an unimplemented mode is refused and the pool keeps its mode', () => {
    t.run(`create ltm pool p load-balancing-mode least-sessions ${MEMBERS}`);
    t.fail('modify ltm pool p load-balancing-mode fastest-node');
    expect(t.store.getEffective('ltm pool', 'p')!.properties['load-balancing-mode']).toBe('least-sessions');
  });

  test.each(IMPLEMENTED_LOAD_BALANCING_MODES.filter((m) => !m.startsWith('weighted-')))('%s is accepted and shown as the mode in force', (mode) => {
    t.run(`create ltm pool p load-balancing-mode ${mode} ${MEMBERS}`);
    expect(t.run('show ltm pool p')).toMatch(new RegExp(`\\n {5}Load Balancing Mode : ${mode}\\n`));
  });

  test('a loaded file with an unimplemented mode keeps the pool, not served, and so is its virtual; typed, it is refused', () => {
    const file = path.join(t.dir, 'observed.conf');
    fs.writeFileSync(file, 'ltm pool /Common/p {\n    load-balancing-mode observed-member\n}\nltm virtual /Common/v {\n    destination /Common/10.0.0.1:25\n    pool /Common/p\n}\n');
    const out = t.run(`load sys config merge file ${file}`);
    expect(out).toMatch(/Not served: 1 pools are kept but get no data-plane pool \(their virtual servers are not served\):\n {2}\/Common\/p: load-balancing-mode observed-member is not supported/);
    expect(out).toMatch(/Not served: 1 virtual servers are kept but get no listener:\n {2}\/Common\/v: pool \/Common\/p is not supported: load-balancing-mode observed-member is not supported/);
    expect(t.fail('create ltm pool q load-balancing-mode observed-member').message).toContain('load-balancing-mode observed-member is not supported');
    // Given a mode openltm implements, the pool and its virtual are served again.
    t.run('modify ltm pool p load-balancing-mode round-robin');
    t.run('modify ltm virtual v description served');
    expect(t.store.getEffective('ltm pool', 'p')!.properties['~not-served']).toBeUndefined();
    expect(t.store.getEffective('ltm virtual', 'v')!.properties['~not-served']).toBeUndefined();
  });

  itSqlite('a store written before the refusal says show runs round-robin', () => {
    t.run(`create ltm pool p ${MEMBERS}`);
    t.store.close();
    const db = new Database(t.file);
    db.prepare(`UPDATE objects SET props = json_set(props, '$."load-balancing-mode"', 'observed-member') WHERE type = 'ltm pool'`).run();
    db.prepare(`UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'`).run();
    db.close();
    const again = openTestStore(t.dir);
    try {
      expect(again.run('show ltm pool p')).toContain('Load Balancing Mode : round-robin (observed-member is not implemented)');
    } finally {
      again.store.close();
    }
  });
});

describe('weighted-least-connections-member weighs members by their connection limit', () => {
  test('every member needs a connection-limit', () => {
    const err = t.fail(`create ltm pool p load-balancing-mode weighted-least-connections-member ${MEMBERS}`);
    expect(err.message).toBe('Configuration error: Pool (/Common/p) uses load-balancing-mode weighted-least-connections-member, which needs a connection-limit on every member; /Common/10.0.0.11:25 has none.');
  });

  test('accepted with limits; adding a member without one is refused', () => {
    t.run('create ltm pool p load-balancing-mode weighted-least-connections-member members replace-all-with { 10.0.0.11:25 { connection-limit 30 } 10.0.0.12:25 { connection-limit 10 } }');
    expect(t.run('show ltm pool p')).toContain('Load Balancing Mode : weighted-least-connections-member');
    t.fail('modify ltm pool p members add { 10.0.0.13:25 }');
    expect(Object.keys(t.store.getEffective('ltm pool', 'p')!.properties.members as object)).toHaveLength(2);
  });
});
