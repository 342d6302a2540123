import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyPassword } from '@openltm/store';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => t.cleanup());

const hashOf = (name: string) => String(t.store.getEffective('auth user', name)?.properties['encrypted-password']);

describe('auth user', () => {
  it('keeps only an scrypt hash of the password, which verifies the plain text (tmsh escapes undone)', async () => {
    t.run('create auth user ops password "say \\"hi\\" \\\\ now"');
    const hash = hashOf('ops');
    expect(hash).toMatch(/^\$scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('say "hi" \\ now', hash)).toBe(true);
    expect(await verifyPassword('say \\"hi\\" \\\\ now', hash)).toBe(false);
    expect(t.store.getEffective('auth user', 'ops')?.properties.password).toBeUndefined();
    expect(t.run('list auth user ops')).not.toContain('say');
  });

  it('needs a password, refuses an empty one and a hash of the wrong form; nothing is created', () => {
    expect(t.fail('create auth user a').toString()).toBe('01070734:3: Configuration error: "password" is required to create a User.');
    expect(t.fail('create auth user a password ""').toString()).toContain('expected a non-empty password');
    expect(t.fail('create auth user a encrypted-password plaintext').toString()).toContain('expected an scrypt hash');
    expect(t.run('list auth user')).toBe('');
  });

  it('a new password replaces the hash; role is admin unless set to guest', async () => {
    t.run('create auth user ops password one');
    const first = hashOf('ops');
    t.run('modify auth user ops password two role guest');
    expect(hashOf('ops')).not.toBe(first);
    expect(await verifyPassword('two', hashOf('ops'))).toBe(true);
    expect(await verifyPassword('one', hashOf('ops'))).toBe(false);
    expect(t.store.getEffective('auth user', 'ops')?.properties.role).toBe('guest');
    expect(t.fail('modify auth user ops role root').toString()).toMatch(/^01070712/);
  });

  it('save writes the hash (never the password) and a load restores a user that still logs in', async () => {
    t.run('create auth user ops password "s3cret words"');
    const file = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${file}`);
    const saved = fs.readFileSync(file, 'utf8');
    expect(saved).toContain(`encrypted-password ${hashOf('ops')}`);
    expect(saved).not.toContain('s3cret');
    t.run('delete auth user ops');
    t.run(`load sys config merge file ${file}`);
    expect(await verifyPassword('s3cret words', hashOf('ops'))).toBe(true);
  });
});
