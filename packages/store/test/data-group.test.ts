import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

describe('ltm data-group internal', () => {
  test('records of each type are listed in BIG-IP layout; ip hosts are written with their prefix', () => {
    t.run('create ltm data-group internal nets type ip records add { 10.0.0.0/8 { data "internal nets" } 192.168.1.1 { } 2001:DB8::1 { } }');
    t.run('create ltm data-group internal ports type integer records add { 25 { data smtp } -1 { } }');
    t.run('create ltm data-group internal names type string records add { "mail example" { data x } mx1 { } }');
    expect(t.run('list ltm data-group internal nets')).toBe(
      [
        'ltm data-group internal nets {',
        '    records {',
        '        10.0.0.0/8 {',
        '            data "internal nets"',
        '        }',
        '        192.168.1.1/32 { }',
        '        2001:db8::1/128 { }',
        '    }',
        '    type ip',
        '}',
        '',
      ].join('\n'),
    );
    expect(t.run('list ltm data-group internal names one-line')).toBe('ltm data-group internal names { records { "mail example" { data x } mx1 { } } type string }\n');
    expect(Object.keys(t.store.getEffective('ltm data-group internal', 'ports')!.properties.records as object)).toEqual(['25', '-1']);
  });

  test('a record that is not of the group\'s type is refused and nothing is stored', () => {
    const bad: [string, string][] = [
      ['create ltm data-group internal a type ip records add { 10.0.0.0/33 { } }', '10.0.0.0/33'],
      ['create ltm data-group internal a type ip records add { mail.example { } }', 'mail.example'],
      ['create ltm data-group internal a type integer records add { 2.5 { } }', '2.5'],
      ['create ltm data-group internal a type integer records add { 9223372036854775808 { } }', '9223372036854775808'],
    ];
    for (const [cmd, key] of bad) {
      const err = t.fail(cmd);
      expect(err.code).toBe(ErrorCodes.INVALID_VALUE);
      expect(err.message).toContain(`Invalid value "${key}" for property "records"`);
    }
    expect(t.store.names('ltm data-group internal')).toEqual([]);
    t.run('create ltm data-group internal a type ip records add { 10.0.0.1 { } }');
    expect(t.fail('modify ltm data-group internal a records add { 10.0.0.1/32 { } }').code).toBe(ErrorCodes.ALREADY_EXISTS);
    expect(t.fail('modify ltm data-group internal a records add { x { } }').code).toBe(ErrorCodes.INVALID_VALUE);
    expect(Object.keys(t.store.getEffective('ltm data-group internal', 'a')!.properties.records as object)).toEqual(['10.0.0.1/32']);
  });

  test('type is required and cannot change; the name already in use gives mcpd\'s value list message', () => {
    expect(t.fail('create ltm data-group internal a').message).toBe('Configuration error: "type" is required to create a value list.');
    t.run('create ltm data-group internal a type string');
    expect(t.fail('modify ltm data-group internal a type ip').code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(t.fail('create ltm data-group internal a type string').toString()).toBe('01020066:3: The requested value list (/Common/a) already exists in partition Common.');
  });

  test('creating one says it is stored only (openltm runs no iRules)', () => {
    const r = t.store.execute('create ltm data-group internal a type string records add { k { data v } }', t.session);
    expect((r.warnings ?? []).map((w) => w.message)).toEqual([
      'value list (/Common/a): "type" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
      'value list (/Common/a): "records" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
    ]);
  });

  test('save and load into a fresh store give the same data groups back', () => {
    t.run('create ltm data-group internal nets type ip records add { 10.0.0.0/8 { data "a \\"quoted\\" value" } 192.0.2.1 { } }');
    t.run('create ltm data-group internal names description "AS3 record" type string records add { "with space" { data "line1 line2" } }');
    const file = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${file}`);
    const saved = fs.readFileSync(file, 'utf8');
    expect(saved).toContain('ltm data-group internal /Common/nets {');
    const u = openTestStore();
    try {
      u.run(`load sys config file ${file}`);
      expect(u.run('list ltm data-group internal')).toBe(t.run('list ltm data-group internal'));
    } finally {
      u.cleanup();
    }
  });
});
