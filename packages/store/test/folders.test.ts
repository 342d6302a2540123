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
    expect(t.run('list ltm pool recursive')).toMatch(/^ltm pool Tenant\/App\/p \{/);
    expect(t.run('list sys folder recursive')).toBe('sys folder / { }\nsys folder /Common { }\nsys folder /Tenant { }\nsys folder /Tenant/App { }\n');
    expect(t.run('list auth partition')).toBe('auth partition Common { }\nauth partition Tenant { }\n');
  });

  it('cd follows .. and . steps and ignores a trailing slash, like a shell', () => {
    t.run('create auth partition Tenant');
    t.run('create sys folder /Tenant/App');
    t.run('cd /Tenant/');
    expect(t.session.folder).toBe('/Tenant');
    t.run('cd App/');
    expect(t.session.folder).toBe('/Tenant/App');
    t.run('cd ../..');
    expect(t.session.folder).toBe('/');
    t.run('cd Tenant/./App');
    expect(t.session.folder).toBe('/Tenant/App');
    t.run('cd ../../Common');
    expect(t.session.folder).toBe('/Common');
    expect(t.fail('cd ../Nope').toString()).toBe('01020036:3: The requested folder (/Nope) was not found.');
    expect(t.fail('cd /Nope/..').toString()).toBe('01020036:3: The requested folder (/Nope) was not found.');
    expect(t.session.folder).toBe('/Common');
  });

  it('a partition or folder that holds objects cannot be deleted; an empty one can', () => {
    t.run('create auth partition Tenant');
    t.run('create sys folder /Tenant/App');
    t.run('create ltm pool /Tenant/App/p');
    expect(t.fail('delete sys folder /Tenant/App').toString()).toBe('01070734:3: Configuration error: The folder (/Tenant/App) cannot be deleted because it holds ltm pool /Tenant/App/p.');
    expect(t.fail('delete auth partition Tenant').message).toMatch(/The partition \(Tenant\) cannot be deleted because it holds/);
    t.run('delete ltm pool /Tenant/App/p');
    t.run('delete sys folder /Tenant/App');
    t.run('delete auth partition T*');
    expect(t.run('list auth partition')).toBe('auth partition Common { }\n');
    t.run('delete auth partition all');
    expect(t.fail('delete auth partition Common').toString()).toBe('01070734:3: Configuration error: The partition Common cannot be deleted.');
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
    expect(t.run('list auth partition')).toBe('auth partition Common { }\n');
    t.run(`load sys config file ${file}`);
    expect(t.store.names('ltm pool', '/Tenant/App')).toEqual(['p']);
  });
});

/**
 * tmsh's folder habits: `recursive` walks the current folder and its sub-folders (names printed
 * relative to it), globs stay within one name, full paths reach any folder from anywhere.
 */
describe('selecting objects across folders', () => {
  beforeEach(() => {
    t.run('create auth partition P1');
    t.run('create sys folder /P1/F');
    t.run('create ltm pool /P1/p1');
    t.run('create ltm pool /P1/F/p2');
    t.run('create ltm pool pc');
  });

  it('recursive lists the current folder and its sub-folders only, relative to it', () => {
    expect(t.run('list ltm pool recursive')).toBe('ltm pool pc { }\n');
    t.run('cd /P1');
    expect(t.run('list ltm pool')).toBe('ltm pool p1 { }\n');
    expect(t.run('list ltm pool recursive')).toBe('ltm pool F/p2 { }\nltm pool p1 { }\n');
    expect(t.run('list ltm pool F/p2')).toBe('ltm pool F/p2 { }\n');
    t.run('cd /');
    expect(t.run('list ltm pool')).toBe('');
    expect(t.run('list ltm pool recursive one-line')).toBe('ltm pool Common/pc { }\nltm pool P1/F/p2 { }\nltm pool P1/p1 { }\n');
    expect(t.run('list ltm recursive')).toContain('ltm pool P1/F/p2 { }\n');
  });

  it('at /, the names recursive prints can be typed back (scripts feed `list ... recursive one-line` names to show and modify)', () => {
    t.run('cd /');
    const names = t.run('list ltm pool recursive one-line').split('\n').filter(Boolean).map((l) => l.split(' ')[2]);
    expect(names).toEqual(['Common/pc', 'P1/F/p2', 'P1/p1']);
    for (const n of names) t.run(`modify ltm pool ${n} description via-root`);
    expect(t.run('show ltm pool P1/F/p2')).toContain('Ltm::Pool: /P1/F/p2\n');
    expect(t.store.getEffective('ltm pool', '/P1/F/p2')!.properties.description).toBe('via-root');
    expect(t.store.getEffective('ltm pool', '/Common/pc')!.properties.description).toBe('via-root');
    expect(t.run('list sys folder P1/F')).toBe('sys folder /P1/F { }\n');
    expect(t.fail('list ltm pool Common/nope').toString()).toBe('01020036:3: The requested Pool (/Common/nope) was not found.');
  });

  it('a glob does not cross a folder separator; with recursive a name glob matches in sub-folders', () => {
    expect(t.run('list ltm pool /P1/*')).toBe('ltm pool /P1/p1 { }\n');
    expect(t.run('list ltm pool /P1/*/*')).toBe('ltm pool /P1/F/p2 { }\n');
    expect(t.run('list ltm pool p*')).toBe('ltm pool pc { }\n');
    t.run('cd /P1');
    expect(t.run('list ltm pool p*')).toBe('ltm pool p1 { }\n');
    expect(t.run('list ltm pool F/*')).toBe('ltm pool F/p2 { }\n');
    expect(t.run('list ltm pool recursive p*')).toBe('ltm pool F/p2 { }\nltm pool p1 { }\n');
  });

  it('list, show, modify and delete take full paths and globs from any folder; all means the current folder', () => {
    t.run('modify ltm pool /P1/F/p2 description two');
    expect(t.run('list ltm pool /P1/F/p2 description')).toBe('ltm pool /P1/F/p2 {\n    description two\n}\n');
    expect(t.run('show ltm pool /P1/*')).toContain('Ltm::Pool: /P1/p1\n');
    expect(t.run('show ltm pool /P1/*')).not.toContain('p2');
    t.run('cd /P1');
    t.run('modify ltm pool all description one');
    expect(t.run('list ltm pool p1 F/p2 description one-line')).toBe('ltm pool p1 { description one }\nltm pool F/p2 { description two }\n');
    t.run('delete ltm pool all');
    expect(t.run('list ltm pool recursive')).toBe('ltm pool F/p2 {\n    description two\n}\n');
    t.run('delete ltm pool /P1/F/*');
    t.run('cd /');
    expect(t.run('list ltm pool recursive')).toBe('ltm pool Common/pc { }\n');
  });

  it('show ltm virtual recursive shows every partition\'s virtuals from /', () => {
    t.run('create ltm virtual /P1/F/vs destination 192.0.2.1:25 ip-protocol tcp profiles add { tcp }');
    t.run('create ltm virtual vc destination 192.0.2.2:25 ip-protocol tcp profiles add { tcp }');
    expect(t.run('show ltm virtual')).toContain('Ltm::Virtual Server: vc\n');
    expect(t.run('show ltm virtual')).not.toContain('/P1/F/vs');
    t.run('cd /');
    const all = t.run('show ltm virtual recursive');
    expect(all).toContain('Ltm::Virtual Server: /P1/F/vs\n');
    expect(all).toContain('Ltm::Virtual Server: /Common/vc\n');
  });

  it('list sys folder: the current folder and those in it; / and each partition\'s root folder are folders too', () => {
    expect(t.run('list sys folder')).toBe('sys folder /Common { }\n');
    t.run('cd /P1');
    expect(t.run('list sys folder')).toBe('sys folder /P1 { }\nsys folder /P1/F { }\n');
    t.run('cd /');
    expect(t.run('list sys folder')).toBe('sys folder / { }\nsys folder /Common { }\nsys folder /P1 { }\n');
    expect(t.run('list sys folder recursive')).toBe('sys folder / { }\nsys folder /Common { }\nsys folder /P1 { }\nsys folder /P1/F { }\n');
    expect(t.run('list sys folder /P1/F')).toBe('sys folder /P1/F { }\n');
    expect(t.run('list auth partition P*')).toBe('auth partition P1 { }\n');
  });

  it('preserved objects in a partition: listed from their folder by name, from / with recursive', () => {
    const file = `${t.dir}/http.conf`;
    fs.writeFileSync(file, 'ltm profile http /P1/F/h {\n    defaults-from /Common/http\n}\nltm profile http /Common/hc { }\n');
    t.run(`load sys config merge file ${file}`);
    expect(t.run('list ltm profile http')).toBe('ltm profile http hc { }\n');
    // `list ltm` lists the modelled types and the preserved ones under the word, of this folder.
    const ltm = t.run('list ltm');
    expect(ltm).toContain('ltm pool pc { }\n');
    expect(ltm).toContain('ltm profile http hc { }\n');
    expect(ltm).not.toContain('/P1');
    t.run('cd /P1/F');
    expect(t.run('list ltm profile http')).toBe('ltm profile http h {\n    defaults-from /Common/http\n}\n');
    expect(t.run('list ltm profile http h one-line')).toBe('ltm profile http h { defaults-from /Common/http }\n');
    t.run('cd /');
    expect(t.run('list ltm profile http recursive one-line')).toBe('ltm profile http Common/hc { }\nltm profile http P1/F/h { defaults-from /Common/http }\n');
    expect(t.run('list ltm profile http /P1/*/*')).toBe('ltm profile http /P1/F/h {\n    defaults-from /Common/http\n}\n');
  });

  it('all-properties, non-default-properties and one-line in a partition', () => {
    t.run('cd /P1');
    t.run('modify ltm pool p1 slow-ramp-time 20');
    const all = t.run('list ltm pool p1 all-properties');
    expect(all).toMatch(/^ltm pool p1 \{\n/);
    expect(all).toContain('    load-balancing-mode round-robin\n');
    expect(all).toContain('    slow-ramp-time 20\n');
    expect(t.run('list ltm pool p1 non-default-properties')).toBe('ltm pool p1 {\n    slow-ramp-time 20\n}\n');
    expect(t.run('list ltm pool p1 one-line')).toBe('ltm pool p1 { slow-ramp-time 20 }\n');
  });
});
