/** smtps `allow-plaintext-auth` (issue 19): listed, saved, loaded, and setting it enabled warns. */
import * as path from 'node:path';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => t.cleanup());

const WARNING = '01070996:4: allow-plaintext-auth enabled: in allow mode, clients may send passwords in cleartext before STARTTLS';
const warnings = (cmd: string) => (t.store.execute(cmd, t.session).warnings ?? []).map(String);

it('defaults to disabled, listed with all-properties; no warning when nothing weakens', () => {
  expect(warnings('create ltm profile smtps s activation-mode allow')).toEqual([]);
  expect(t.run('list ltm profile smtps s all-properties')).toContain('    allow-plaintext-auth disabled\n');
  expect(warnings('modify ltm profile smtps s allow-plaintext-auth disabled')).toEqual([]);
  expect(t.store.getEffective('ltm profile smtps', 's')!.properties['allow-plaintext-auth']).toBe('disabled');
});

it('enabled on create or modify: the change is made and a warning printed, with its structured form', () => {
  expect(warnings('create ltm profile smtps s activation-mode allow allow-plaintext-auth enabled')).toEqual([WARNING]);
  expect(t.store.getEffective('ltm profile smtps', 's')!.properties['allow-plaintext-auth']).toBe('enabled');
  t.run('create ltm profile smtps u');
  const r = t.store.execute('modify ltm profile smtps u allow-plaintext-auth enabled', t.session);
  expect(r.output).toBe('');
  expect(r.warnings?.map(String)).toEqual([WARNING]);
  expect(t.run('list ltm profile smtps u')).toBe('ltm profile smtps u {\n    allow-plaintext-auth enabled\n    app-service none\n    defaults-from smtps\n}\n');
});

it('is inherited through defaults-from and refused with a BIG-IP error for a bad value', () => {
  t.run('create ltm profile smtps parent allow-plaintext-auth enabled');
  t.run('create ltm profile smtps child defaults-from parent');
  expect(t.store.getEffective('ltm profile smtps', 'child')!.properties['allow-plaintext-auth']).toBe('enabled');
  expect(t.fail('modify ltm profile smtps child allow-plaintext-auth yes').message).toMatch(/allow-plaintext-auth/);
});

it('survives save and load', () => {
  t.run('create ltm profile smtps s activation-mode allow allow-plaintext-auth enabled');
  const file = path.join(t.dir, 'saved.conf');
  t.run(`save sys config file ${file}`);
  t.run('delete ltm profile smtps s');
  t.run(`load sys config file ${file}`);
  expect(t.store.getEffective('ltm profile smtps', 's')!.properties['allow-plaintext-auth']).toBe('enabled');
});
