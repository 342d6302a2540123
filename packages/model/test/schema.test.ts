import { getType, matchPath, nextPathWords, OBJECT_TYPES, ConfigError, errors } from '@openltm/model';

describe('schema', () => {
  it('knows the smtps profile with BIG-IP values and the built-in default', () => {
    const smtps = getType('ltm profile smtps')!;
    expect(smtps.properties['activation-mode'].type).toEqual({ kind: 'enum', values: ['none', 'allow', 'require'] });
    expect(smtps.builtins?.[0]).toEqual({ name: '/Common/smtps', properties: { 'activation-mode': 'require' } });
    expect(smtps.properties['defaults-from'].default).toBe('/Common/smtps');
  });

  it('matches the longest path and lists what may follow', () => {
    expect(matchPath(['ltm', 'profile', 'smtps', 's1'])).toEqual({ key: 'ltm profile smtps', length: 3, isObjectType: true });
    expect(matchPath(['sys', 'config'])).toEqual({ key: 'sys config', length: 2, isObjectType: false });
    expect(nextPathWords(['ltm'])).toEqual(expect.arrayContaining(['data-group', 'monitor', 'node', 'persistence', 'pool', 'profile', 'rule', 'snatpool', 'virtual']));
    expect(nextPathWords(['ltm', 'profile'])).toEqual(['client-ssl', 'server-ssl', 'smtps', 'tcp']);
  });

  it('gives every property one-line help', () => {
    for (const def of OBJECT_TYPES) for (const [name, p] of Object.entries(def.properties)) expect([def.key, name, p.help.length > 5]).toEqual([def.key, name, true]);
  });
});

describe('ConfigError', () => {
  it('prints the BIG-IP form', () => {
    expect(String(errors.notFound('Pool', '/Common/p'))).toBe('01020036:3: The requested Pool (/Common/p) was not found.');
    expect(String(errors.syntax('"foo" unknown property'))).toBe('Syntax Error: "foo" unknown property');
    expect(ConfigError.is(errors.configError('x'))).toBe(true);
    expect(ConfigError.is(new Error('x'))).toBe(false);
  });
});
