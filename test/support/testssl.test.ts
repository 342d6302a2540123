import { makeSelfSignedCert, TestCertificate } from './certs';
import { postfixProcessesUnder, PrivatePostfix, startPostfix } from './postfix';
import { findingFor, runTestssl } from './testssl';

/** testssl.sh takes seconds; one run, several assertions. */
describe('testssl.sh against Postfix STARTTLS', () => {
  let cert: TestCertificate;
  let postfix: PrivatePostfix;

  beforeAll(async () => {
    cert = await makeSelfSignedCert();
    // Postfix's own protocol policy, set explicitly so the test knows what to expect.
    postfix = await startPostfix({
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      main: { smtpd_tls_protocols: '>=TLSv1.2', smtpd_tls_mandatory_protocols: '>=TLSv1.2' },
    });
  });
  afterAll(async () => {
    await postfix?.stop();
    cert?.remove();
    expect(postfixProcessesUnder(postfix.dir)).toEqual([]);
  });

  it('finds TLS 1.2 and 1.3 offered and SSLv3, TLS 1.0, TLS 1.1 not offered', async () => {
    const r = await runTestssl({ port: postfix.port });
    const offered = (id: string) => findingFor(r.findings, id)?.finding;
    expect(offered('TLS1_2')).toBe('offered');
    expect(offered('TLS1_3')).toMatch(/^offered/);
    expect(offered('TLS1')).toBe('not offered');
    expect(offered('TLS1_1')).toBe('not offered');
    expect(offered('SSLv3')).toBe('not offered');
    expect(r.findings.filter((f) => f.severity === 'FATAL')).toEqual([]);
  }, 120_000);
});
