import { ConfigError } from '@openltm/model';
import { parseCommand, type CollectionValue, type CommandStatement, type Property } from '@openltm/parser';

/** The property `name` of a parsed command (fails the test when missing). */
function prop(cmd: CommandStatement, name: string): Property {
  const p = cmd.properties.find((x) => x.name === name);
  if (!p) throw new Error(`no property ${name}`);
  return p;
}

function syntaxErrorOf(line: string): ConfigError {
  try {
    parseCommand(line);
  } catch (e) {
    if (ConfigError.is(e)) return e;
    throw e;
  }
  throw new Error(`no error for: ${line}`);
}

describe('parseCommand: create', () => {
  it('shapes a pool with members, a monitor and a load-balancing mode', () => {
    const cmd = parseCommand('create ltm pool p1 members add { 127.0.0.1:2526 { address 127.0.0.1 } } monitor smtp_mon load-balancing-mode ratio-member');
    expect(cmd).toMatchObject({ verb: 'create', path: ['ltm', 'pool'], typeKey: 'ltm pool', isObjectType: true });
    expect(cmd.targets).toMatchObject([{ kind: 'name', name: 'p1' }]);
    expect(prop(cmd, 'members').kind).toBe('property');
    const members = (prop(cmd, 'members') as { value: CollectionValue }).value;
    expect(members).toMatchObject({ kind: 'collection', op: 'add', entries: [{ name: '127.0.0.1:2526' }] });
    expect(members.entries[0].properties).toMatchObject([{ kind: 'property', name: 'address', value: { kind: 'scalar', text: '127.0.0.1' } }]);
    expect(prop(cmd, 'monitor')).toMatchObject({ value: { kind: 'monitor-rule', minimum: 'all', monitors: [{ text: 'smtp_mon' }] } });
    expect(prop(cmd, 'load-balancing-mode')).toMatchObject({ value: { kind: 'scalar', text: 'ratio-member', quoted: false } });
  });

  it('shapes a client-ssl cert-key-chain as a collection with replace-all-with', () => {
    const cmd = parseCommand('create ltm profile client-ssl my_cssl defaults-from clientssl cert-key-chain replace-all-with { default { cert mail.crt key mail.key } }');
    expect(cmd.typeKey).toBe('ltm profile client-ssl');
    expect(prop(cmd, 'defaults-from')).toMatchObject({ value: { kind: 'scalar', text: 'clientssl' } });
    expect(prop(cmd, 'cert-key-chain')).toMatchObject({
      value: { kind: 'collection', op: 'replace-all-with', entries: [{ name: 'default', properties: [{ name: 'cert', value: { text: 'mail.crt' } }, { name: 'key', value: { text: 'mail.key' } }] }] },
    });
  });

  it('shapes a virtual: profiles collection with contexts and a nested source-address-translation object', () => {
    const cmd = parseCommand('create ltm virtual vs_smtp destination 192.0.2.10:25 ip-protocol tcp pool smtp_pool profiles replace-all-with { tcp { } my_smtps { } my_cssl { context clientside } } source-address-translation { type automap }');
    expect(cmd.properties.map((p) => p.name)).toEqual(['destination', 'ip-protocol', 'pool', 'profiles', 'source-address-translation']);
    expect(prop(cmd, 'profiles')).toMatchObject({
      value: { kind: 'collection', entries: [{ name: 'tcp', properties: [] }, { name: 'my_smtps', properties: [] }, { name: 'my_cssl', properties: [{ name: 'context', value: { text: 'clientside' } }] }] },
    });
    expect(prop(cmd, 'source-address-translation')).toMatchObject({ value: { kind: 'object', properties: [{ name: 'type', value: { text: 'automap' } }] } });
  });

  it('reads a sys file import with a file: source path', () => {
    const cmd = parseCommand('create sys file ssl-cert mail.crt source-path file:/var/tmp/mail.crt');
    expect(cmd).toMatchObject({ typeKey: 'sys file ssl-cert', targets: [{ name: 'mail.crt' }] });
    expect(prop(cmd, 'source-path')).toMatchObject({ value: { text: 'file:/var/tmp/mail.crt' } });
  });

  it('accepts keywords as object names', () => {
    expect(parseCommand('create ltm pool pool').targets).toMatchObject([{ kind: 'name', name: 'pool' }]);
    const cmd = parseCommand('create ltm pool create monitor tcp');
    expect(cmd.targets).toMatchObject([{ name: 'create' }]);
    expect(cmd.properties.map((p) => p.name)).toEqual(['monitor']);
  });

  it('accepts the properties wrapped in braces, as in a file', () => {
    const cmd = parseCommand('create ltm pool p1 {\n  monitor tcp\n  members { 10.0.0.1:25 { address 10.0.0.1 } }\n}');
    expect(cmd.properties.map((p) => p.name)).toEqual(['monitor', 'members']);
  });
});

describe('parseCommand: modify, delete', () => {
  it('reads flag words as the value of their flag property', () => {
    expect(parseCommand('modify ltm virtual vs disabled').properties).toMatchObject([{ name: 'enabled', value: { kind: 'flag', word: 'disabled' } }]);
    expect(parseCommand('modify ltm virtual vs enabled').properties).toMatchObject([{ name: 'enabled', value: { kind: 'flag', word: 'enabled' } }]);
    expect(parseCommand('modify ltm virtual vs vlans-enabled').properties).toMatchObject([{ name: 'vlans-enabled', value: { kind: 'flag', word: 'vlans-enabled' } }]);
  });

  it('reads collection edits: modify, delete, delete { all }', () => {
    expect(parseCommand('modify ltm pool p members modify { 10.0.0.13:25 { session user-disabled } }').properties[0]).toMatchObject({
      value: { kind: 'collection', op: 'modify', entries: [{ name: '10.0.0.13:25', properties: [{ name: 'session', value: { text: 'user-disabled' } }] }] },
    });
    expect(parseCommand('modify ltm pool p members delete { 10.0.0.13:25 }').properties[0]).toMatchObject({ value: { op: 'delete', entries: [{ name: '10.0.0.13:25', properties: [] }] } });
    expect(parseCommand('modify ltm pool p members delete { all }').properties[0]).toMatchObject({ value: { op: 'delete', entries: [{ name: 'all' }] } });
  });

  it('reads monitor rules: and-lists and min N of', () => {
    expect(parseCommand('modify ltm pool p monitor /Common/http and /Common/tcp').properties[0]).toMatchObject({
      value: { kind: 'monitor-rule', minimum: 'all', monitors: [{ text: '/Common/http' }, { text: '/Common/tcp' }] },
    });
    expect(parseCommand('modify ltm pool p monitor min 1 of { smtp tcp }').properties[0]).toMatchObject({
      value: { kind: 'monitor-rule', minimum: 1, monitors: [{ text: 'smtp' }, { text: 'tcp' }] },
    });
    expect(parseCommand('modify ltm pool p monitor none').properties[0]).toMatchObject({ value: { kind: 'monitor-rule', monitors: [] } });
  });

  it('reads none for references and collections, and quoted values', () => {
    expect(parseCommand('modify ltm virtual v pool none').properties[0]).toMatchObject({ value: { kind: 'scalar', text: 'none' } });
    expect(parseCommand('modify ltm pool p members none').properties[0]).toMatchObject({ value: { kind: 'scalar', text: 'none' } });
    expect(parseCommand('modify ltm pool p description "two words"').properties[0]).toMatchObject({ value: { text: 'two words', quoted: true } });
  });

  it('reads delete targets: names, all, { } lists', () => {
    expect(parseCommand('delete ltm pool p1 p2').targets).toMatchObject([{ name: 'p1' }, { name: 'p2' }]);
    expect(parseCommand('delete ltm pool all').targets).toMatchObject([{ kind: 'all' }]);
    expect(parseCommand('delete ltm pool { a b }').targets).toMatchObject([{ name: 'a' }, { name: 'b' }]);
  });
});

describe('parseCommand: list, show and other verbs', () => {
  it('separates globs, options and projections', () => {
    const l = parseCommand('list ltm virtual vs_* all-properties one-line');
    expect(l.targets).toMatchObject([{ kind: 'glob', pattern: 'vs_*' }]);
    expect(l.options).toEqual({ 'all-properties': true, 'one-line': true });
    expect(parseCommand('list ltm virtual vs pool profiles')).toMatchObject({ targets: [{ name: 'vs' }], select: ['pool', 'profiles'] });
    expect(parseCommand('show ltm pool p members')).toMatchObject({ targets: [{ name: 'p' }], options: { members: true } });
    expect(parseCommand('list ltm pool p1 p2').targets).toHaveLength(2);
  });

  it('reads sys config options and cli transactions', () => {
    expect(parseCommand('save sys config file /tmp/x.conf')).toMatchObject({ verb: 'save', typeKey: 'sys config', isObjectType: false, options: { file: '/tmp/x.conf' } });
    expect(parseCommand('load sys config merge file /tmp/x.conf skip-unknown').options).toEqual({ merge: true, file: '/tmp/x.conf', 'skip-unknown': true });
    expect(parseCommand('create cli transaction')).toMatchObject({ verb: 'create', typeKey: 'cli transaction', targets: [] });
    expect(parseCommand('submit cli transaction')).toMatchObject({ verb: 'submit', typeKey: 'cli transaction' });
  });

  it('accepts partial paths for list and show (a whole module or component)', () => {
    expect(parseCommand('list ltm profile')).toMatchObject({ path: ['ltm', 'profile'], isObjectType: false, targets: [] });
    expect(parseCommand('list ltm profile').typeKey).toBeUndefined();
    expect(parseCommand('list ltm one-line')).toMatchObject({ path: ['ltm'], options: { 'one-line': true } });
    expect(parseCommand('list')).toMatchObject({ verb: 'list', path: [] });
  });

  it('reads sys config partitions and tar-file options', () => {
    expect(parseCommand('save sys config partitions { Common foo } no-passphrase').options).toEqual({ partitions: 'Common foo', 'no-passphrase': true });
    expect(parseCommand('load sys config file /var/local/scf/x.scf merge verify').options).toEqual({ file: '/var/local/scf/x.scf', merge: true, verify: true });
  });

  it('keeps free arguments of cd and help', () => {
    expect(parseCommand('cd /Common').args).toEqual(['/Common']);
    expect(parseCommand('help ltm pool').args).toEqual(['ltm', 'pool']);
  });

  it('resolves paths inside a module context', () => {
    expect(parseCommand('create pool p1', { module: 'ltm' })).toMatchObject({ path: ['ltm', 'pool'], typeKey: 'ltm pool' });
  });
});

describe('parseCommand: errors', () => {
  it('reports an unknown property in tmsh words, with its position', () => {
    const e = syntaxErrorOf('create ltm pool p1 foo bar');
    expect(e.code).toBe('SYNTAX');
    expect(e.message).toBe('"foo" unknown property');
    expect(e.toString()).toBe('Syntax Error: "foo" unknown property');
    expect(e.position).toMatchObject({ line: 1, column: 20 });
  });

  it('refuses unbalanced braces, missing values and unknown types', () => {
    expect(syntaxErrorOf('create ltm pool p1 members add { 10.0.0.1:25').message).toMatch(/no matching/);
    expect(syntaxErrorOf('create ltm pool p1 }').message).toBe('unexpected "}"');
    expect(syntaxErrorOf('create ltm pool p1 monitor').message).toBe('"monitor" requires a value');
    expect(syntaxErrorOf('modify ltm pool p members add').position).toMatchObject({ line: 1, column: 27 });
    expect(syntaxErrorOf('create ltm ifile s1').message).toMatch(/^"ifile" unknown property/);
    expect(syntaxErrorOf('creat ltm pool p1').message).toBe('"creat" unknown command');
    expect(syntaxErrorOf('modify ltm pool p members add { }').code).toBe('SYNTAX');
    expect(syntaxErrorOf('create ltm pool p description "open').message).toMatch(/closing quote/);
    expect(syntaxErrorOf('save ltm pool p').message).toBe('"save" is not available for "ltm pool"');
    expect(syntaxErrorOf('create sys config').message).toBe('"create" is not available for "sys config"');
    expect(syntaxErrorOf('load sys config merge bogus').message).toBe('"bogus" unknown property');
    expect(syntaxErrorOf('create ltm pool { a b }').message).toBe('one or more configuration identifiers must be provided');
    expect(syntaxErrorOf('modify ltm pool').message).toBe('one or more configuration identifiers must be provided');
    expect(syntaxErrorOf('create ltm profile').message).toBe('incomplete command: expected one of client-ssl, server-ssl, smtps, tcp');
    expect(syntaxErrorOf('quit now').message).toBe('"now" unexpected argument');
    expect(syntaxErrorOf('').message).toBe('a command is required');
    expect(syntaxErrorOf('list ltm pool; list ltm node').message).toMatch(/one command expected/);
  });
});
