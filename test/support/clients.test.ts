import { execFileSync } from 'node:child_process';
import { makeSelfSignedCert, TestCertificate } from './certs';
import { expectAccepted } from './client-mode';
import { nodemailerSend } from './nodemailer-client';
import { opensslClient } from './openssl-client';
import { postfixProcessesUnder, PrivatePostfix, startPostfix } from './postfix';
import { smtplibSend } from './smtplib';
import { swaks } from './swaks';

/** Every client wrapper, against a real Postfix that offers STARTTLS and has an implicit-TLS port. */
describe('client wrappers against Postfix', () => {
  let cert: TestCertificate;
  let postfix: PrivatePostfix;

  beforeAll(async () => {
    cert = await makeSelfSignedCert();
    postfix = await startPostfix({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
  });
  afterAll(async () => {
    await postfix?.stop();
    cert?.remove();
    expect(postfixProcessesUnder(postfix.dir)).toEqual([]);
  });

  /** The newest queued message whose body contains `marker`. */
  async function queued(marker: string) {
    const all = await postfix.messages();
    const m = all.find((x) => x.content.includes(marker));
    if (!m) throw new Error(`no queued message contains ${marker}; queue has ${all.length}`);
    return m;
  }
  const usedTls = /\(using TLSv1\.[23] with cipher/;

  it('certs: CN=localhost with SAN DNS:localhost and IP:127.0.0.1', () => {
    const text = execFileSync('openssl', ['x509', '-in', cert.certFile, '-noout', '-subject', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    expect(text).toMatch(/subject=CN *= *localhost/);
    expect(text).toContain('DNS:localhost, IP Address:127.0.0.1');
    expect(cert.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it.each(['plain', 'starttls', 'tls'] as const)('swaks in %s mode', async (mode) => {
    const port = mode === 'tls' ? postfix.tlsPort! : postfix.port;
    expectAccepted(await swaks({ port, mode, body: `swaks-${mode}` }));
    const m = await queued(`swaks-${mode}`);
    if (mode === 'plain') expect(m.content).not.toMatch(usedTls);
    else expect(m.content).toMatch(usedTls);
  });

  it.each(['plain', 'starttls', 'tls'] as const)('Python smtplib in %s mode', async (mode) => {
    const port = mode === 'tls' ? postfix.tlsPort! : postfix.port;
    const r = await smtplibSend({ port, mode, body: `smtplib-${mode}`, to: ['x@server.test', 'y@server.test'] });
    expectAccepted(r);
    expect(r.transcript).toContain("reply: b'250 2.0.0 Ok: queued as");
    const m = await queued(`smtplib-${mode}`);
    expect(m.recipients).toEqual(['x@server.test', 'y@server.test']);
    if (mode === 'plain') expect(m.content).not.toMatch(usedTls);
    else expect(m.content).toMatch(usedTls);
  });

  it.each(['plain', 'starttls', 'tls'] as const)('nodemailer in %s mode', async (mode) => {
    const port = mode === 'tls' ? postfix.tlsPort! : postfix.port;
    const r = await nodemailerSend({ port, mode, body: `nodemailer-${mode}` });
    expect(r).toMatchObject({ ok: true });
    expect(r.response).toMatch(/^250 2\.0\.0 Ok: queued as/);
    expect(r.transcript).toContain('S: 220 postfix.test ESMTP');
    const m = await queued(`nodemailer-${mode}`);
    if (mode === 'plain') expect(m.content).not.toMatch(usedTls);
    else expect(m.content).toMatch(usedTls);
  });

  it('openssl s_client -starttls smtp: handshake details and commands inside TLS', async () => {
    const r = await opensslClient({ port: postfix.port, mode: 'starttls', commands: ['EHLO inside.test', 'NOOP'] });
    expect(r.code).toBe(0);
    expect(r.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.cipher).toBeTruthy();
    expect(r.peerSubject).toContain('CN = localhost');
    expect(r.transcript).toContain('250-postfix.test');
    expect(r.transcript).toContain('250 2.0.0 Ok');
    expect(r.transcript).toContain('221 2.0.0 Bye');
    expect(postfix.maillog()).toMatch(/Anonymous TLS connection established from localhost\[127\.0\.0\.1\]|TLS connection established from/);
  });

  it('openssl s_client on the implicit-TLS port', async () => {
    const r = await opensslClient({ port: postfix.tlsPort!, mode: 'tls' });
    expect(r.code).toBe(0);
    expect(r.transcript).toContain('220 postfix.test ESMTP');
  });

  it('a STARTTLS client fails against a server that does not offer STARTTLS', async () => {
    const plain = await startPostfix();
    try {
      expect((await swaks({ port: plain.port, mode: 'starttls' })).code).not.toBe(0);
      expect((await smtplibSend({ port: plain.port, mode: 'starttls' })).transcript).toMatch(/smtplib error: SMTPNotSupportedError/);
      const n = await nodemailerSend({ port: plain.port, mode: 'starttls' });
      expect(n.ok).toBe(false);
      expect(await plain.messages()).toEqual([]);
    } finally {
      await plain.stop();
    }
  });
});
