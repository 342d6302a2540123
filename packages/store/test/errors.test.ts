/** Each error of tmsh.md section 6.2 that applies to openltm's types, by code. */
import * as fs from 'node:fs';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, seedScenario, writePair, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => t.cleanup());

describe('01020036 not found', () => {
  it('names the kind and full path of a missing referenced object', () => {
    const pool = t.fail('create ltm virtual v destination 10.0.0.1:25 pool nopool');
    expect(pool.code).toBe(ErrorCodes.NOT_FOUND);
    expect(pool.toString()).toBe('01020036:3: The requested Pool (/Common/nopool) was not found.');
    expect(t.fail('create ltm virtual v destination 10.0.0.1:25 profiles replace-all-with { tcp x }').toString()).toBe(
      '01020036:3: The requested profile (/Common/x) was not found.',
    );
    expect(t.fail('create ltm pool p monitor nomon').message).toBe('The requested Monitor (/Common/nomon) was not found.');
    expect(t.fail('list ltm virtual nothere').message).toBe('The requested Virtual Server (/Common/nothere) was not found.');
    expect(t.fail('delete ltm pool nothere').code).toBe(ErrorCodes.NOT_FOUND);
    expect(t.fail('create ltm profile client-ssl c cert-key-chain replace-all-with { d { cert nope.crt key default.key } }').message).toBe(
      'The requested Certificate (/Common/nope.crt) was not found.',
    );
  });
});

describe('01020066 already exists', () => {
  it('for objects and for collection entries', () => {
    t.run('create ltm pool smtp_pool');
    expect(t.fail('create ltm pool smtp_pool').toString()).toBe('01020066:3: The requested Pool (/Common/smtp_pool) already exists in partition Common.');
    expect(t.fail('create ltm profile smtps smtps').message).toBe('The requested SMTPS Profile (/Common/smtps) already exists in partition Common.');
  });
});

describe('deleting objects in use', () => {
  beforeEach(() => seedScenario(t));

  it('01070265 names the user', () => {
    expect(t.fail('delete ltm pool smtp_pool').toString()).toBe(
      '01070265:3: The Pool (/Common/smtp_pool) cannot be deleted because it is in use by a Virtual Server (/Common/vs_smtp).',
    );
    expect(t.fail('delete ltm profile client-ssl my_cssl').message).toBe(
      'The ClientSSL Profile (/Common/my_cssl) cannot be deleted because it is in use by a Virtual Server (/Common/vs_smtp).',
    );
    expect(t.fail('delete sys file ssl-key mail.key').message).toContain('in use by a ClientSSL Profile (/Common/my_cssl)');
  });

  it('01070083 for a monitor in use', () => {
    const err = t.fail('delete ltm monitor smtp smtp_mon');
    expect(err.code).toBe(ErrorCodes.MONITOR_IN_USE);
    expect(err.message).toContain('/Common/smtp_pool');
  });

  it('01070110 for a node used by a pool member', () => {
    expect(t.fail('delete ltm node 10.0.0.11').toString()).toBe(
      "01070110:3: Node address '/Common/10.0.0.11' is referenced by a member of pool '/Common/smtp_pool'.",
    );
  });

  it('deleting the user first, in one command, works', () => {
    t.run('delete ltm virtual vs_smtp');
    t.run('delete ltm pool smtp_pool');
    t.run('delete ltm node all');
    expect(t.store.names('ltm node')).toEqual([]);
  });
});

describe('cross-object rules', () => {
  beforeEach(() => seedScenario(t));

  it('01070333: two enabled virtuals cannot share a destination; disabled ones can', () => {
    const err = t.fail('create ltm virtual vs2 destination 192.0.2.10:smtp');
    expect(err.code).toBe(ErrorCodes.DESTINATION_IN_USE);
    expect(err.message).toContain('/Common/vs_smtp');
    t.run('create ltm virtual vs2 destination 192.0.2.10:25 disabled');
    expect(t.fail('modify ltm virtual vs2 enabled').code).toBe(ErrorCodes.DESTINATION_IN_USE);
    t.run('modify ltm virtual vs_smtp disabled');
    t.run('modify ltm virtual vs2 enabled');
    t.run('create ltm virtual vs3 destination 192.0.2.11:25');
  });

  it('01070734: an smtps profile in allow or require mode needs a client-ssl profile', () => {
    const err = t.fail('create ltm virtual v2 destination 192.0.2.11:25 profiles replace-all-with { tcp my_smtps }');
    expect(err.code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(err.message).toContain('needs a client-ssl profile');
    expect(t.fail('modify ltm virtual vs_smtp profiles delete { my_cssl }').code).toBe(ErrorCodes.CONFIG_ERROR);
    t.run('create ltm profile smtps off activation-mode none');
    t.run('create ltm virtual v3 destination 192.0.2.11:25 profiles replace-all-with { tcp off }');
  });

  it('01070734: a profile context must fit its type', () => {
    const err = t.fail('modify ltm virtual vs_smtp profiles modify { my_cssl { context serverside } }');
    expect(err.code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(err.message).toContain('clientside');
    expect(t.fail('create ltm virtual v4 destination 192.0.2.12:25 profiles replace-all-with { tcp serverssl { context clientside } }').code).toBe(ErrorCodes.CONFIG_ERROR);
  });

  it('01070097: smtps and client-ssl need tcp; tcp needs ip-protocol tcp', () => {
    expect(t.fail('modify ltm virtual vs_smtp profiles delete { tcp }').code).toBe(ErrorCodes.PROFILE_PROTOCOL_MISMATCH);
    expect(t.fail('modify ltm virtual vs_smtp ip-protocol udp').code).toBe(ErrorCodes.PROFILE_PROTOCOL_MISMATCH);
  });

  it('01071809: several client-ssl profiles need exactly one SNI default', () => {
    t.run('create ltm profile client-ssl second server-name mx2.example.com');
    const err = t.fail('modify ltm virtual vs_smtp profiles add { second }');
    expect(err.code).toBe(ErrorCodes.SNI_DEFAULT);
    t.run('modify ltm profile client-ssl my_cssl sni-default true');
    t.run('modify ltm virtual vs_smtp profiles add { second }');
    expect(t.fail('modify ltm profile client-ssl second sni-default true').code).toBe(ErrorCodes.SNI_DEFAULT);
  });
});

describe('01070712 invalid values name the property and what it accepts', () => {
  it.each([
    ['create ltm profile smtps s activation-mode sometimes', 'activation-mode', 'none, allow, require'],
    ['create ltm pool p load-balancing-mode leastconnection', 'load-balancing-mode', 'round-robin'],
    ['create ltm virtual v destination 999.1.1.1:25', 'destination', 'ADDRESS:PORT'],
    ['create ltm virtual v destination 10.0.0.1:70000', 'destination', '65535'],
    ['create ltm virtual v destination 10.0.0.1%70000:25', 'destination', 'ADDRESS:PORT'],
    ['create ltm node n address 10.0.0', 'address', 'IPv4 or IPv6'],
    ['create ltm monitor smtp m interval 0', 'interval', 'from 1 to 86400'],
    ['create ltm profile tcp t idle-timeout forever', 'idle-timeout', 'indefinite'],
    ['create ltm virtual v destination 10.0.0.1:25 source 10.0.0.0/33', 'source', 'address/prefix'],
    ['create ltm virtual v destination 10.0.0.1:25 mask 255.0.255.0', 'mask', 'netmask'],
    ['create ltm pool p members add { 10.0.0.1:99999 }', 'members', 'NODE:PORT'],
    ['create ltm profile client-ssl c options { no-tlsv1 no-such-option }', 'options', 'no-tlsv1.1'],
  ])('%s', (cmd, property, accepted) => {
    const err = t.fail(cmd);
    expect(err.code).toBe(ErrorCodes.INVALID_VALUE);
    expect(err.message).toContain(`"${property}"`);
    expect(err.message).toContain(accepted);
  });

  it('a command without a name is a syntax error', () => {
    for (const cmd of ['delete ltm pool', 'modify ltm pool description x', 'create ltm pool']) {
      const err = t.fail(cmd);
      expect(err.code).toBe(ErrorCodes.SYNTAX);
    }
    expect(t.fail('delete ltm pool').toString()).toBe('Syntax Error: one or more configuration identifiers must be provided');
  });

  it('unknown properties are syntax errors', () => {
    const err = t.fail('create ltm pool p colour blue');
    expect(err.code).toBe(ErrorCodes.SYNTAX);
    expect(err.toString()).toBe('Syntax Error: "colour" unknown property');
  });
});

describe('01071ac2 certificates and keys are checked when the configuration is made', () => {
  it('a certificate that does not parse', () => {
    fs.writeFileSync(`${t.dir}/bad.crt`, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    expect(t.fail(`create sys file ssl-cert bad.crt source-path file:${t.dir}/bad.crt`).code).toBe(ErrorCodes.SSL_FILE);
    fs.writeFileSync(`${t.dir}/empty.crt`, 'hello');
    expect(t.fail(`create sys file ssl-cert e.crt source-path file:${t.dir}/empty.crt`).code).toBe(ErrorCodes.SSL_FILE);
  });

  it('an encrypted key without (or with a wrong) passphrase; with it, fine', () => {
    const { key } = writePair(t.dir, 'enc', 'sesame');
    expect(t.fail(`create sys file ssl-key enc.key source-path file:${key}`).message).toContain('encrypted');
    expect(t.fail(`create sys file ssl-key enc.key source-path file:${key} passphrase wrong`).message).toContain('wrong passphrase');
    t.run(`create sys file ssl-key enc.key source-path file:${key} passphrase sesame`);
    expect(t.store.pem('sys file ssl-key', 'enc.key')?.passphrase).toBe('sesame');
    // The imported copy is what counts: the source file may go away.
    fs.rmSync(key);
    expect(t.fail('modify sys file ssl-key enc.key passphrase wrong').code).toBe(ErrorCodes.SSL_FILE);
    t.run('modify sys file ssl-key enc.key passphrase sesame');
  });

  it('a key that does not match the certificate of its cert-key-chain', () => {
    const a = writePair(t.dir, 'a');
    const b = writePair(t.dir, 'b');
    t.run(`create sys file ssl-cert a.crt source-path file:${a.cert}`);
    t.run(`create sys file ssl-key b.key source-path file:${b.key}`);
    const err = t.fail('create ltm profile client-ssl c cert-key-chain replace-all-with { default { cert a.crt key b.key } }');
    expect(err.code).toBe(ErrorCodes.SSL_FILE);
    expect(err.message).toBe('Key /Common/b.key does not match certificate /Common/a.crt.');
  });

  it('replacing a key under a profile re-checks the pair', () => {
    seedScenario(t);
    const other = writePair(t.dir, 'other');
    expect(t.fail(`modify sys file ssl-key mail.key source-path file:${other.key}`).code).toBe(ErrorCodes.SSL_FILE);
  });

  it('01070711: a missing source file', () => {
    expect(t.fail(`create sys file ssl-cert x.crt source-path file:${t.dir}/none.crt`).code).toBe(ErrorCodes.FILE);
  });

  it('key material never appears in list output', () => {
    seedScenario(t);
    const { key } = writePair(t.dir, 'enc', 'sesame');
    t.run(`create sys file ssl-key enc.key source-path file:${key} passphrase sesame`);
    const all = ['sys file ssl-key', 'sys file ssl-cert', 'ltm profile client-ssl'].map((k) => t.run(`list ${k} all-properties`)).join('');
    expect(all).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|sesame/);
    expect(t.run('list sys file ssl-key enc.key')).toMatch(/key-size 2048\n\s+key-type rsa-private\n\s+source-path file:/);
  });
});
