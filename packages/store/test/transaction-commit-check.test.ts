/**
 * A cli transaction checks cross-object rules on its final state: renewing a certificate and its
 * key under the same names works inside one transaction (real generated pairs), while a final
 * state that breaks a rule still fails as a whole with nothing applied.
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, writePair, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  const old = writePair(t.dir, 'old-mail');
  t.run(`create sys file ssl-cert mail.crt source-path file:${old.cert}`);
  t.run(`create sys file ssl-key mail.key source-path file:${old.key}`);
  t.run('create ltm profile client-ssl my_cssl cert-key-chain replace-all-with { default { cert mail.crt key mail.key } }');
});
afterEach(() => t.cleanup());

const fingerprint = () => t.store.getEffective('sys file ssl-cert', 'mail.crt')!.properties.fingerprint;

describe('renewing a certificate and its key under the same names', () => {
  it('is refused one statement at a time: the key would not match the certificate in between', () => {
    const renewed = writePair(t.dir, 'new-mail');
    const err = t.fail(`modify sys file ssl-cert mail.crt source-path file:${renewed.cert}`);
    expect(err.code).toBe(ErrorCodes.SSL_FILE);
    expect(err.message).toBe('Key /Common/mail.key does not match certificate /Common/mail.crt.');
  });

  it('works inside a cli transaction: the pair is checked at submit, on the final state', () => {
    const before = fingerprint();
    const renewed = writePair(t.dir, 'new-mail');
    t.run('create cli transaction');
    t.run(`modify sys file ssl-cert mail.crt source-path file:${renewed.cert}`);
    t.run(`modify sys file ssl-key mail.key source-path file:${renewed.key}`);
    const g = t.store.generation();
    t.run('submit cli transaction');
    expect(t.store.generation()).toBe(g + 1);
    expect(fingerprint()).not.toBe(before);
    expect(t.store.pem('sys file ssl-cert', 'mail.crt')!.pem).toBe(readFileSync(renewed.cert, 'utf8'));
  });

  it('fails at submit when the final state does not match, naming the statement, and applies nothing', () => {
    const before = fingerprint();
    const renewed = writePair(t.dir, 'new-mail');
    const other = writePair(t.dir, 'other-mail');
    t.run('create cli transaction');
    t.run('create ltm pool p1');
    t.run(`modify sys file ssl-cert mail.crt source-path file:${renewed.cert}`);
    t.run(`modify sys file ssl-key mail.key source-path file:${other.key}`);
    const err = t.fail('submit cli transaction');
    expect(err.code).toBe(ErrorCodes.SSL_FILE);
    expect(err.message).toMatch(/^Key \/Common\/mail\.key does not match certificate \/Common\/mail\.crt\. \(transaction failed and was discarded; nothing was applied\)$/);
    expect(fingerprint()).toBe(before);
    expect(t.store.names('ltm pool')).toEqual([]);
  });

  it('lets a statement see the references of the ones before it: drop the pool from the virtual, then delete it', () => {
    t.run('create ltm pool p1');
    t.run('create ltm virtual v destination 10.1.1.1:25 pool p1');
    t.run('create cli transaction');
    t.run('modify ltm virtual v pool none');
    t.run('delete ltm pool p1');
    t.run('submit cli transaction');
    expect(t.store.names('ltm pool')).toEqual([]);
  });
});
