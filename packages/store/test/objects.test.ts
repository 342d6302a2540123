import { ErrorCodes } from '@openltm/model';
import { parseScript } from '@openltm/parser';
import { openTestStore, seedScenario, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => t.cleanup());

describe('the seed scenario (tmsh.md section 8)', () => {
  beforeEach(() => seedScenario(t));

  it('lists the virtual as tmsh does', () => {
    const out = t.run('list ltm virtual vs_smtp');
    expect(out.replace(/\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d/g, 'T')).toBe(
      [
        'ltm virtual vs_smtp {',
        '    creation-time T',
        '    destination 192.0.2.10:smtp',
        '    ip-protocol tcp',
        '    last-modified-time T',
        '    mask 255.255.255.255',
        '    pool smtp_pool',
        '    profiles {',
        '        my_cssl {',
        '            context clientside',
        '        }',
        '        my_smtps { }',
        '        tcp { }',
        '    }',
        '    source 0.0.0.0/0',
        '    source-address-translation {',
        '        type automap',
        '    }',
        '    translate-address enabled',
        '    translate-port enabled',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('lists pool members with address, session and state', () => {
    expect(t.run('list ltm pool smtp_pool')).toBe(
      [
        'ltm pool smtp_pool {',
        '    members {',
        '        10.0.0.11:smtp {',
        '            address 10.0.0.11',
        '            session monitor-enabled',
        '            state checking',
        '        }',
        '        10.0.0.12:smtp {',
        '            address 10.0.0.12',
        '            session monitor-enabled',
        '            state checking',
        '        }',
        '    }',
        '    monitor smtp_mon',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('list output parses back with the parser, as objects of the same types and values', () => {
    const text = ['ltm virtual', 'ltm pool', 'ltm profile client-ssl', 'ltm monitor smtp'].map((k) => t.run(`list ${k} all-properties`)).join('');
    const parsed = parseScript(text);
    expect(parsed.errors).toEqual([]);
    const objects = parsed.statements.filter((s) => s.kind === 'object');
    expect(objects.length).toBe(parsed.statements.length);
    const vs = objects.find((s) => s.kind === 'object' && s.name === 'vs_smtp');
    expect(vs && vs.kind === 'object' && vs.typeKey).toBe('ltm virtual');
  });

  it('list of a module or component lists every type under it', () => {
    const out = t.run('list ltm profile');
    expect(out).toContain('ltm profile client-ssl my_cssl {');
    expect(out).toContain('ltm profile smtps my_smtps {');
    expect(out.indexOf('ltm profile client-ssl')).toBeLessThan(out.indexOf('ltm profile tcp tcp'));
    expect(t.run('list ltm')).toContain('ltm virtual vs_smtp {');
  });

  it('creates the nodes of pool members', () => {
    expect(t.run('list ltm node 10.0.0.11')).toBe('ltm node 10.0.0.11 {\n    address 10.0.0.11\n}\n');
  });

  it('hands the daemon effective values', () => {
    const vs = t.store.getEffective('ltm virtual', 'vs_smtp')!;
    expect(vs.properties.destination).toBe('/Common/192.0.2.10:25');
    expect(vs.properties.profiles).toEqual({
      '/Common/my_cssl': { context: 'clientside' },
      '/Common/my_smtps': { context: 'all' },
      '/Common/tcp': { context: 'all' },
    });
    const cssl = t.store.getEffective('ltm profile client-ssl', 'my_cssl')!;
    expect(cssl.properties['cert-key-chain']).toEqual({ default: { cert: '/Common/mail.crt', key: '/Common/mail.key', chain: 'none', passphrase: 'none' } });
    expect(cssl.properties['handshake-timeout']).toBe('10');
    expect(t.store.effective('ltm pool')[0].properties.members).toMatchObject({ '/Common/10.0.0.11:25': { address: '10.0.0.11', ratio: '1', session: 'user-enabled' } });
  });
});

describe('create, modify, delete', () => {
  it('selects by name, glob and all', () => {
    for (const n of ['vs_a', 'vs_b', 'other']) t.run(`create ltm pool ${n}`);
    expect(t.run('list ltm pool vs_*')).toBe('ltm pool vs_a { }\nltm pool vs_b { }\n');
    t.run('modify ltm pool vs_* description "mail pools"');
    expect(t.run('list ltm pool all one-line')).toBe('ltm pool other { }\nltm pool vs_a { description "mail pools" }\nltm pool vs_b { description "mail pools" }\n');
    t.run('delete ltm pool vs_?');
    expect(t.store.names('ltm pool')).toEqual(['other']);
    t.run('delete ltm pool all');
    expect(t.store.names('ltm pool')).toEqual([]);
  });

  it('edits members with add, modify, delete, replace-all-with and none', () => {
    t.run('create ltm pool p members add { 10.0.0.1:25 { address 10.0.0.1 } }');
    t.run('modify ltm pool p members add { 10.0.0.2:25 }');
    expect(t.fail('modify ltm pool p members add { 10.0.0.2:25 }').code).toBe(ErrorCodes.ALREADY_EXISTS);
    t.run('modify ltm pool p members modify { 10.0.0.2:25 { session user-disabled ratio 3 } }');
    expect(t.run('list ltm pool p members')).toContain('10.0.0.2:smtp {\n            address 10.0.0.2\n            ratio 3\n            session user-disabled\n            state unchecked\n        }');
    expect(t.fail('modify ltm pool p members delete { 10.0.0.9:25 }').code).toBe(ErrorCodes.NOT_FOUND);
    t.run('modify ltm pool p members delete { 10.0.0.1:25 }');
    expect(Object.keys(t.store.getEffective('ltm pool', 'p')!.properties.members as object)).toEqual(['/Common/10.0.0.2:25']);
    t.run('modify ltm pool p members replace-all-with { 10.0.0.3:smtp 10.0.0.4:587 }');
    expect(Object.keys(t.store.getEffective('ltm pool', 'p')!.properties.members as object)).toEqual(['/Common/10.0.0.3:25', '/Common/10.0.0.4:587']);
    t.run('modify ltm pool p members delete { all }');
    expect(t.run('list ltm pool p')).toBe('ltm pool p { }\n');
    t.run('modify ltm pool p members { 10.0.0.5:25 }');
    t.run('create ltm virtual v destination 10.1.1.1:25');
    t.run('modify ltm pool p members none');
    expect(t.run('list ltm pool p')).toBe('ltm pool p { }\n');
    t.run('modify ltm virtual v profiles none');
    expect(t.run('list ltm virtual v profiles')).toBe('ltm virtual v {\n    profiles none\n}\n');
  });

  it('edits profiles of a virtual starting from the default tcp profile', () => {
    t.run('create ltm profile smtps plain activation-mode none');
    t.run('create ltm virtual v destination 10.1.1.1:25');
    t.run('modify ltm virtual v profiles add { plain { context all } }');
    expect(Object.keys(t.store.getEffective('ltm virtual', 'v')!.properties.profiles as object).sort()).toEqual(['/Common/plain', '/Common/tcp']);
    expect(t.run('list ltm virtual v profiles')).toBe('ltm virtual v {\n    profiles {\n        plain { }\n        tcp { }\n    }\n}\n');
    t.run('modify ltm virtual v profiles delete { plain }');
    expect(Object.keys(t.store.getEffective('ltm virtual', 'v')!.properties.profiles as object)).toEqual(['/Common/tcp']);
  });

  it('keeps deleted nodes of a deleted pool (BIG-IP does not delete nodes with pools)', () => {
    t.run('create ltm pool p members add { 10.0.0.1:25 }');
    t.run('delete ltm pool p');
    expect(t.store.names('ltm node')).toEqual(['10.0.0.1']);
    t.run('delete ltm node 10.0.0.1');
  });

  it('members on an existing named node take its address; a mismatched address is refused', () => {
    t.run('create ltm node mx1 address 10.0.0.7');
    t.run('create ltm pool p members add { mx1:25 }');
    expect(t.run('list ltm pool p members')).toContain('mx1:smtp {\n            address 10.0.0.7');
    expect(t.fail('modify ltm pool p members add { mx1:26 { address 10.0.0.8 } }').code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(t.fail('modify ltm pool p members add { mx2:25 }').code).toBe(ErrorCodes.NOT_FOUND);
  });

  it('two nodes cannot share an address, also through a pool member', () => {
    t.run('create ltm node mx1 address 10.0.0.7');
    expect(t.fail('create ltm node mx1b address 10.0.0.7').message).toContain('Node (/Common/mx1)');
    const err = t.fail('create ltm pool p members add { 10.0.0.7:25 }');
    expect(err.code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(err.message).toContain('name the member mx1:25');
  });

  it('refuses changes to immutable and read-only properties', () => {
    t.run('create ltm node n1 address 10.0.0.1');
    expect(t.fail('modify ltm node n1 address 10.0.0.2').code).toBe(ErrorCodes.CONFIG_ERROR);
    t.run('create ltm virtual v destination 10.1.1.1:25');
    expect(t.fail('modify ltm virtual v creation-time 2020-01-01:00:00:00').code).toBe(ErrorCodes.CONFIG_ERROR);
  });

  it('requires required properties', () => {
    expect(t.fail('create ltm virtual v').message).toContain('"destination" is required');
  });

  it('accepts IPv6 and service names, and canonicalises them', () => {
    t.run('create ltm virtual v6 destination 2001:DB8:0::1.smtp');
    t.run('create ltm virtual sub destination 10.0.0.1:587');
    expect(t.store.getEffective('ltm virtual', 'v6')!.properties.destination).toBe('/Common/2001:db8::1.25');
    expect(t.run('list ltm virtual sub destination')).toBe('ltm virtual sub {\n    destination 10.0.0.1:submission\n}\n');
    t.run('create ltm pool p6 members add { 2001:db8::11.25 }');
    expect(t.store.names('ltm node')).toEqual(['2001:db8::11']);
  });

  it('cd changes how names are printed; unknown folders are refused', () => {
    t.run('create ltm pool p1');
    t.run('cd /');
    expect(t.run('list ltm pool p1')).toBe('ltm pool /Common/p1 { }\n');
    expect(t.run('list ltm pool')).toBe('');
    expect(t.run('list ltm pool recursive')).toBe('ltm pool Common/p1 { }\n');
    t.run('cd /Common');
    expect(t.fail('cd /Other').code).toBe(ErrorCodes.NOT_FOUND);
    expect(t.fail('create ltm pool /Other/p').code).toBe(ErrorCodes.NOT_FOUND);
  });
});

describe('defaults-from inheritance', () => {
  it('list shows what the object sets; all-properties shows effective values that follow the parent', () => {
    t.run('create ltm profile tcp parent idle-timeout 600 nagle enabled');
    t.run('create ltm profile tcp child defaults-from parent nagle disabled');
    expect(t.run('list ltm profile tcp child')).toBe('ltm profile tcp child {\n    app-service none\n    defaults-from parent\n    nagle disabled\n}\n');
    expect(t.run('list ltm profile tcp child all-properties')).toContain('    idle-timeout 600\n');
    t.run('modify ltm profile tcp parent idle-timeout 900 nagle auto');
    const eff = t.store.getEffective('ltm profile tcp', 'child')!.properties;
    expect(eff['idle-timeout']).toBe('900');
    expect(eff.nagle).toBe('disabled');
    expect(t.run('list ltm profile tcp child non-default-properties')).toContain('idle-timeout 900');
  });

  it('description is not inherited; a parent in use by a child cannot be deleted; loops are refused', () => {
    t.run('create ltm profile smtps a description "first" activation-mode allow');
    t.run('create ltm profile smtps b defaults-from a');
    expect(t.store.getEffective('ltm profile smtps', 'b')!.properties.description).toBeUndefined();
    expect(t.store.getEffective('ltm profile smtps', 'b')!.properties['activation-mode']).toBe('allow');
    const err = t.fail('delete ltm profile smtps a');
    expect(err.code).toBe(ErrorCodes.IN_USE);
    expect(err.message).toContain('SMTPS Profile (/Common/b)');
    expect(t.fail('modify ltm profile smtps a defaults-from b').message).toContain('loop');
  });

  it('a parent change that breaks a virtual is refused', () => {
    t.run('create ltm profile smtps off activation-mode none');
    t.run('create ltm profile smtps child defaults-from off');
    t.run('create ltm virtual v destination 10.1.1.1:25 profiles replace-all-with { tcp child }');
    const err = t.fail('modify ltm profile smtps off activation-mode require');
    expect(err.code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(err.message).toContain('/Common/v');
    expect(t.store.getEffective('ltm profile smtps', 'child')!.properties['activation-mode']).toBe('none');
  });
});
