import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from './helpers/built';
import { Sandbox } from './helpers/run-bin';

let template: Sandbox;
let box: Sandbox;
beforeAll(() => {
  ensureBuilt();
  template = Sandbox.template();
}, 120000);
afterAll(() => template?.remove());
beforeEach(() => (box = Sandbox.from(template)));
afterEach(() => box.remove());

const POOL_P1 = /^ltm pool p1 \{\n(?: {4}.*\n)*? {4}members \{\n {8}127\.0\.0\.1:2526 \{\n {12}address 127\.0\.0\.1\n/m;

describe('tmsh one-shot', () => {
  it('joins its arguments into one line, as on BIG-IP, and exits 0', () => {
    const created = box.tmsh('create', 'ltm', 'pool', 'p1', 'members', 'add', '{', '127.0.0.1:2526', '}', 'description', 'SMTP pool');
    expect(created).toEqual({ status: 0, stdout: '', stderr: '' });
    const listed = box.tmsh('-c', 'list ltm pool p1');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(POOL_P1);
    expect(listed.stdout).toContain('    description "SMTP pool"\n');
    expect(listed.stderr).toBe('');
  });

  it('creates the store on first use: --store, else OPENLTM_STORE, else ~/.openltm/config.db', () => {
    const flagged = box.path('flag.db');
    expect(box.tmsh('--store', flagged, '-c', 'create ltm pool viaflag').status).toBe(0);
    expect(box.tmsh('--store', flagged, '-c', 'list ltm pool viaflag').stdout).toMatch(/^ltm pool viaflag /m);
    expect(box.tmsh('-c', 'list ltm pool viaflag').status).not.toBe(0);
    expect(statSync(flagged).mode & 0o777).toBe(0o600);

    const noStoreEnv = { ...box.env, OPENLTM_STORE: '' };
    const r = box.run('tmsh', ['-c', 'create ltm pool viahome'], { env: noStoreEnv });
    expect(r.status).toBe(0);
    expect(existsSync(join(box.dir, '.openltm', 'config.db'))).toBe(true);
  });

  it('says clearly when the store cannot be opened', () => {
    const notADb = box.path('notes.txt');
    writeFileSync(notADb, 'these are not the objects you are looking for\n');
    const r = box.tmsh('--store', notADb, '-c', 'list ltm pool');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`01070711:3: Cannot open the configuration store ${notADb}: file is not a database\n`);
    const json = box.run('openltm', ['exec', '--json', '--store', notADb, 'list ltm pool']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: '01070711' } });
  });

  it('runs several commands separated by ; in order', () => {
    const r = box.tmsh('-c', 'create ltm pool p1 members add { 127.0.0.1:2526 }; list ltm pool p1');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(POOL_P1);
  });

  it('fails a bad line with the BIG-IP message on stderr, a non-zero status, and no change', () => {
    expect(box.tmsh('-c', 'create ltm pool p1 members add { 127.0.0.1:2526 }').status).toBe(0);
    const before = box.tmsh('-c', 'list ltm pool all').stdout;

    const syntax = box.tmsh('-c', 'create ltm pool p2 bogus-property 1');
    expect(syntax.status).not.toBe(0);
    expect(syntax.stdout).toBe('');
    expect(syntax.stderr).toMatch(/^Syntax Error: "bogus-property" unknown property/);

    // Every statement is parsed before any runs: a later syntax error keeps the first from running.
    const mixed = box.tmsh('-c', 'create ltm pool p3; create ltm pool p4 {');
    expect(mixed.status).not.toBe(0);
    expect(mixed.stderr).toMatch(/^Syntax Error: /m);

    const missing = box.tmsh('-c', 'modify ltm pool nope description x');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('01020036:3: The requested Pool (/Common/nope) was not found.\n');

    expect(box.tmsh('-c', 'list ltm pool all').stdout).toBe(before);
  });

  it('keeps stdout for command output only, even with debug logs on', () => {
    box.tmsh('-c', 'create ltm pool p1 members add { 127.0.0.1:2526 }');
    const r = box.run('tmsh', ['-c', 'list ltm pool p1'], { env: { OPENLTM_LOG_LEVEL: 'debug' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(POOL_P1);
    expect(r.stdout).not.toMatch(/"level"/);
    const logLines = r.stderr.trim().split('\n').filter(Boolean);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(JSON.parse(line)).toHaveProperty('level');
  });

  it('has usage help for both entry points', () => {
    const tmsh = box.tmsh('--help');
    expect(tmsh.status).toBe(0);
    expect(tmsh.stdout).toContain('$ tmsh [-q] -c "<command>[; <command>...]"');
    const openltm = box.run('openltm', ['--help']);
    expect(openltm.status).toBe(0);
    expect(openltm.stdout).toMatch(/^ {2}exec +Run tmsh commands once$/m);
    expect(openltm.stdout).toMatch(/^ {2}load +Apply a tmsh script atomically$/m);
    expect(openltm.stdout).toMatch(/^ {2}shell +Open the interactive tmsh shell$/m);
  });

  it('prints help from the schema', () => {
    const r = box.tmsh('help', 'ltm', 'pool');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {4}ltm pool - A load-balanced set of SMTP servers/m);
  });

  it('reads commands from a pipe when stdin is not a terminal', () => {
    const r = box.run('tmsh', [], { input: 'create ltm pool p1 members add {\n 127.0.0.1:2526\n}\nlist ltm pool p1\n' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(POOL_P1);
  });
});

describe('openltm exec', () => {
  it('prints machine-readable results with --json, for success and failure', () => {
    box.tmsh('-c', 'create ltm pool p1 members add { 127.0.0.1:2526 }');
    const ok = box.run('openltm', ['exec', '--json', 'list ltm pool p1']);
    expect(ok.status).toBe(0);
    const okJson = JSON.parse(ok.stdout);
    expect(okJson).toMatchObject({ ok: true, command: 'list ltm pool p1' });
    expect(okJson.output).toMatch(POOL_P1);

    const bad = box.run('openltm', ['exec', '--json', 'delete ltm pool nope']);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      ok: false,
      error: { code: '01020036', severity: 3, text: '01020036:3: The requested Pool (/Common/nope) was not found.' },
    });
  });

  it('runs a line without --json like tmsh -c', () => {
    const r = box.run('openltm', ['exec', 'create ltm pool p1; list ltm pool p1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ltm pool p1 \{/m);
  });
});

describe('openltm load', () => {
  const GOOD = [
    '# pools for the lab',
    'create ltm monitor smtp smtp_mon defaults-from smtp domain example.com',
    'create ltm pool smtp_pool monitor smtp_mon members replace-all-with {',
    '    127.0.0.11:2526 { address 127.0.0.11 }',
    '    127.0.0.12:2526 { address 127.0.0.12 }',
    '}',
    '',
  ].join('\n');

  it('applies a script and reports what it did', () => {
    const file = box.path('good.tmsh');
    writeFileSync(file, GOOD);
    const r = box.run('openltm', ['load', '-f', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`Loaded 2 statements from ${file}\n`);
    expect(box.tmsh('-c', 'list ltm pool smtp_pool').stdout).toMatch(/127\.0\.0\.12:2526/);
  });

  it('changes nothing on a syntax error and reports the line and column', () => {
    const file = box.path('bad-syntax.tmsh');
    writeFileSync(file, `${GOOD}create ltm pool p2 bogus 1\n`);
    const r = box.run('openltm', ['load', '-f', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Syntax Error: "bogus" unknown property (${file}, line 7, column 20)\ncreate ltm pool p2 bogus 1\n                   ^\n`);
    expect(box.tmsh('-c', 'list ltm pool smtp_pool').status).toBe(1);
  });

  it('changes nothing when a statement fails against the store, and names it', () => {
    const file = box.path('bad-ref.tmsh');
    writeFileSync(file, `${GOOD}create ltm virtual vs1 destination 127.0.0.10:2525 pool no_such_pool\n`);
    const r = box.run('openltm', ['load', '-f', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`01020036:3: The requested Pool (/Common/no_such_pool) was not found. (${file}, line 7, column `);
    expect(box.tmsh('-c', 'list ltm pool smtp_pool').status).toBe(1);
    expect(box.tmsh('-c', 'list ltm monitor smtp smtp_mon').status).toBe(1);
  });

  it('validates without changing anything with --dry-run', () => {
    const file = box.path('good.tmsh');
    writeFileSync(file, GOOD);
    const r = box.run('openltm', ['load', '-f', file, '--dry-run']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`Validated 2 statements from ${file} (dry run: nothing changed)\n`);
    expect(box.tmsh('-c', 'list ltm pool smtp_pool').status).toBe(1);
  });

  it('reads the script from stdin with -f -, and openltm shell reads a pipe like tmsh', () => {
    const loaded = box.run('openltm', ['load', '-q', '-f', '-'], { input: GOOD });
    expect(loaded).toMatchObject({ status: 0, stderr: '' });
    const shell = box.run('openltm', ['shell'], { input: 'list ltm pool smtp_pool\n' });
    expect(shell.status).toBe(0);
    expect(shell.stdout).toMatch(/^ltm pool smtp_pool \{/);
  });

  it('loads back what list printed', () => {
    const file = box.path('good.tmsh');
    writeFileSync(file, GOOD);
    expect(box.run('openltm', ['load', '-f', file]).status).toBe(0);
    const listed = box.tmsh('-c', 'list ltm monitor smtp smtp_mon; list ltm pool smtp_pool').stdout;
    expect(box.tmsh('-c', 'delete ltm pool smtp_pool; delete ltm monitor smtp smtp_mon').status).toBe(0);
    const dump = box.path('listed.conf');
    writeFileSync(dump, listed);
    const loaded = box.run('openltm', ['load', '-f', dump]);
    expect(loaded.stderr).toMatch(/^Loaded 2 statements/);
    expect(box.tmsh('-c', 'list ltm monitor smtp smtp_mon; list ltm pool smtp_pool').stdout).toBe(listed);
  });
});
