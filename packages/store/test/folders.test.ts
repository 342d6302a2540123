/**
 * Partitions and folders: created with tmsh's commands, entered with cd, names relative to the
 * current folder, references found in the folder and then in /Common as on BIG-IP.
 */
import * as fs from 'node:fs';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

describe('partitions and folders', () => {
  it('create auth partition and sys folder, cd into them, objects named from there', () => {
    expect(t.fail('create ltm pool /Tenant/p').toString()).toBe('01020036:3: The requested folder (/Tenant) was not found.');
    expect(t.fail('cd /Tenant').toString()).toBe('01020036:3: The requested folder (/Tenant) was not found.');
    t.run('create auth partition Tenant');
    t.run('create sys folder /Tenant/App');
    expect(t.fail('create sys folder /Tenant/App').toString()).toBe('01020066:3: The requested folder (/Tenant/App) already exists in partition Common.');
    expect(t.fail('create sys folder /Nope/App').toString()).toBe('01020036:3: The requested folder (/Nope) was not found.');
    t.run('cd /Tenant/App');
    expect(t.session.folder).toBe('/Tenant/App');
    t.run('create ltm pool p members add { 10.0.0.1:25 { address 10.0.0.1 } }');
    // tcp is not in /Tenant/App: it is found in /Common, as BIG-IP resolves references.
    t.run('create ltm virtual vs destination 192.0.2.1:25 pool p profiles add { tcp }');
    expect(t.store.getEffective('ltm virtual', '/Tenant/App/vs')!.properties).toMatchObject({
      pool: '/Tenant/App/p', destination: '/Tenant/192.0.2.1:25', profiles: { '/Common/tcp': {} },
    });
    expect(t.run('list ltm pool')).toMatch(/^ltm pool p \{/);
    t.run('cd ..');
    expect(t.session.folder).toBe('/Tenant');
    expect(t.run('list ltm pool')).toBe('');
    t.run('cd /');
    expect(t.run('list ltm pool recursive')).toMatch(/^ltm pool \/Tenant\/App\/p \{/);
    expect(t.run('list sys folder')).toBe('sys folder /Tenant/App { }\n');
    expect(t.run('list auth partition')).toBe('auth partition Tenant { }\n');
  });

  it('a partition or folder that holds objects cannot be deleted; an empty one can', () => {
    t.run('create auth partition Tenant');
    t.run('create sys folder /Tenant/App');
    t.run('create ltm pool /Tenant/App/p');
    expect(t.fail('delete sys folder /Tenant/App').toString()).toBe('01070734:3: Configuration error: The folder (/Tenant/App) cannot be deleted because it holds ltm pool /Tenant/App/p.');
    expect(t.fail('delete auth partition Tenant').message).toMatch(/The partition \(Tenant\) cannot be deleted because it holds/);
    t.run('delete ltm pool /Tenant/App/p');
    t.run('delete sys folder /Tenant/App');
    t.run('delete auth partition Tenant');
    expect(t.run('list auth partition')).toBe('');
  });

  it('saved and loaded: partitions and folders come first in the file, and a full load puts them back', () => {
    t.run('create auth partition Tenant');
    t.run('create sys folder /Tenant/App');
    t.run('create ltm pool /Tenant/App/p');
    const file = `${t.dir}/bigip.conf`;
    t.run(`save sys config file ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.indexOf('auth partition Tenant { }')).toBeLessThan(text.indexOf('ltm pool /Tenant/App/p { }'));
    expect(text.indexOf('sys folder /Tenant/App { }')).toBeLessThan(text.indexOf('ltm pool /Tenant/App/p { }'));
    t.run('load sys config default');
    expect(t.run('list auth partition')).toBe('');
    t.run(`load sys config file ${file}`);
    expect(t.store.names('ltm pool', '/Tenant/App')).toEqual(['p']);
  });
});
