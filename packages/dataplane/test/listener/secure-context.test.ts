/** buildSecureContext: client-ssl profile words to OpenSSL settings, and clear errors. */
import * as crypto from 'node:crypto';
import { ConfigError } from '@openltm/model';
import { buildSecureContext, protocolRange } from '../../src/listener/secure-context';
import type { ClientSslSpec } from '../../src/desired-state';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
let other: TestCert;
beforeAll(() => {
  cert = makeCert();
  other = makeCert('other.test');
});

const profile = (over: Partial<ClientSslSpec> = {}): ClientSslSpec => ({
  name: '/Common/cssl', certKeyChain: [cert], ciphers: 'DEFAULT', options: [], handshakeTimeout: 10, ...over,
});

describe('protocolRange', () => {
  it.each([
    [[], 'TLSv1', 'TLSv1.3', 0],
    [['no-tlsv1', 'no-tlsv1.1'], 'TLSv1.2', 'TLSv1.3', 0],
    [['no-sslv3', 'no-ssl', 'no-tlsv1', 'no-tlsv1.1', 'no-tlsv1.3'], 'TLSv1.2', 'TLSv1.2', 0],
    [['no-tlsv1', 'no-tlsv1.2'], 'TLSv1.1', 'TLSv1.3', crypto.constants.SSL_OP_NO_TLSv1_2],
  ])('%j -> %s..%s', (options, min, max, flags) => {
    expect(protocolRange('/Common/p', options as string[])).toEqual({ minVersion: min, maxVersion: max, secureOptions: flags });
  });

  it('every version disabled is a configuration error', () => {
    expect(() => protocolRange('/Common/p', ['no-tlsv1', 'no-tlsv1.1', 'no-tlsv1.2', 'no-tlsv1.3'])).toThrow(/disables every TLS version/);
  });
});

describe('buildSecureContext', () => {
  it('loads a certificate and key', () => {
    expect(buildSecureContext(profile())).toBeDefined();
  });

  it('loads an encrypted key with its passphrase, and names a wrong one', () => {
    const encrypted = crypto.createPrivateKey(cert.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    expect(buildSecureContext(profile({ certKeyChain: [{ cert: cert.cert, key: encrypted, passphrase: 'secret' }] }))).toBeDefined();
    expect(() => buildSecureContext(profile({ certKeyChain: [{ cert: cert.cert, key: encrypted, passphrase: 'wrong' }] }))).toThrow(/passphrase is wrong or missing/);
  });

  it.each([
    ['a key that does not match the certificate', { certKeyChain: [{ cert: cert?.cert, key: '' }] }, /does not match|not valid PEM/],
    ['a cipher string OpenSSL rejects', { ciphers: 'NOT-A-CIPHER' }, /cipher string matches no cipher/],
    ['no certificate at all', { certKeyChain: [] }, /no certificate and key/],
    ['a key that is not PEM', { certKeyChain: [{ cert: 'x', key: 'garbage' }] }, /not valid PEM/],
  ])('%s is a ConfigError naming the profile', (_name, over, message) => {
    const spec = profile(over as Partial<ClientSslSpec>);
    if (_name.startsWith('a key that does not')) spec.certKeyChain = [{ cert: cert.cert, key: other.key }];
    let err: unknown;
    try {
      buildSecureContext(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/Client SSL profile \(\/Common\/cssl\)/);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('PRIVATE KEY');
  });
});
