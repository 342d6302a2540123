/**
 * testssl.sh (`--starttls smtp`, protocols, cipher categories, vulnerabilities) against a
 * require-mode virtual with the default /Common/clientssl profile, served by the real daemon
 * configured through the real tmsh. What a mail operator's audit would check of our defaults.
 * One run (~20 s on the shared 2-core machine), many assertions.
 */
import { E2eProxy, startE2eProxy } from './support/e2e-proxy';
import { findingFor, runTestssl, TestsslResult } from './support/testssl';

describe('testssl.sh against vs_require with the default client-ssl profile', () => {
  let proxy: E2eProxy;
  let scan: TestsslResult;

  beforeAll(async () => {
    proxy = await startE2eProxy(['require']);
    scan = await runTestssl({ port: proxy.ports.require, checks: ['-p', '-s', '-U'], timeoutMs: 110_000 });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  const finding = (id: string): string => {
    const f = findingFor(scan.findings, id);
    if (!f) throw new Error(`testssl reported no ${id}; output:\n${scan.output}`);
    return f.finding;
  };

  it('spoke SMTP STARTTLS to the virtual and finished without a fatal error', () => {
    expect(finding('service')).toBe('smtp');
    expect(scan.findings.filter((f) => f.severity === 'FATAL')).toEqual([]);
  });

  it('offers TLS 1.2 or 1.3, and neither SSLv2, SSLv3, TLS 1.0 nor TLS 1.1', () => {
    expect(finding('SSLv2')).toBe('not offered');
    expect(finding('SSLv3')).toBe('not offered');
    expect(finding('TLS1')).toBe('not offered');
    expect(finding('TLS1_1')).toBe('not offered');
    expect([finding('TLS1_2'), finding('TLS1_3')].some((s) => s.startsWith('offered'))).toBe(true);
  });

  it.each(['cipherlist_NULL', 'cipherlist_aNULL', 'cipherlist_EXPORT', 'cipherlist_LOW', 'cipherlist_3DES_IDEA'])(
    'offers no %s ciphers',
    (id) => {
      expect(finding(id)).toBe('not offered');
    },
  );

  it('offers strong ciphers', () => {
    expect(finding('cipherlist_STRONG')).toBe('offered');
  });

  it.each(['heartbleed', 'CCS', 'ROBOT', 'secure_client_renego', 'CRIME_TLS', 'POODLE_SSL', 'SWEET32', 'FREAK', 'DROWN', 'LOGJAM', 'BEAST', 'LUCKY13', 'RC4'])(
    'is not vulnerable to %s',
    (id) => {
      expect(finding(id)).toMatch(/^not vulnerable/);
    },
  );

  it('has no finding of severity HIGH or CRITICAL', () => {
    expect(scan.findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL')).toEqual([]);
  });
});
