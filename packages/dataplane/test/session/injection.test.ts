/** Injection, ordering and the TLS boundary: smtp-starttls.md §5.3 (cases 23-30). */
import * as tls from 'node:tls';
import { Harness, until } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';
import { TestClient } from '../support/smtp-client';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const R220 = '220 2.0.0 Ready to start TLS\r\n';

describe('plaintext pipelined after STARTTLS is discarded (CVE-2011-0411)', () => {
  it.each(['allow', 'require'] as const)('%s: injected EHLO never runs [23]', async (mode) => {
    const f = await h.start(mode, cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO victim.test');
    c.send('STARTTLS\r\nEHLO injected.test\r\n');
    expect(await c.reply()).toBe(R220);
    await c.startTls(cert.cert);
    expect(await c.silentFor(1000)).toBe(true);
    expect(await c.cmd('FAKE x')).toBe('502 5.5.2 Error: command not recognized\r\n');
    expect(f.backend.log()).not.toContain('injected.test');
    expect(f.listener.stats.pipelinedDiscarded).toBe('EHLO injected.test\r\n'.length);
  });

  it('credential-theft transaction pipelined after STARTTLS never reaches the backend [24]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    c.send('STARTTLS\r\nAUTH PLAIN AGF0dGFja2VyAHB3\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<evil@x.test>\r\nDATA\r\n');
    expect(await c.reply()).toBe(R220);
    await c.startTls(cert.cert);
    await c.cmd('EHLO victim.test');
    expect(await c.cmd('AUTH PLAIN AHZpY3RpbQBzZWNyZXQ=')).toMatch(/^502 /);
    const log = f.backend.log();
    expect(log).not.toContain('evil@x.test');
    expect(log).not.toContain('AGF0dGFja2VyAHB3');
    expect(log).toContain('AUTH PLAIN AHZpY3RpbQBzZWNyZXQ=\r\n');
  });

  it('a second plaintext write that arrives before the handshake is discarded too [A3]', async () => {
    const f = await h.start('allow', cert, { delays: { NOOP: 150 } });
    const c = await f.connect();
    await c.reply();
    c.send('NOOP\r\nSTARTTLS\r\n');
    await new Promise((r) => setTimeout(r, 20));
    c.send('EHLO late.test\r\n');
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(await c.reply()).toBe(R220);
    await c.startTls(cert.cert);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).not.toContain('late.test');
    expect(f.listener.stats.pipelinedDiscarded).toBe('EHLO late.test\r\n'.length);
  });

  it('early ClientHello bytes after STARTTLS are discarded; the handshake times out silently [26]', async () => {
    const f = await h.start('allow', cert, {}, { clientSsl: { name: '/Common/cssl', certKeyChain: [cert], ciphers: 'DEFAULT', options: [], handshakeTimeout: 0.4 } });
    const c = await f.connect();
    await c.reply();
    c.send(Buffer.concat([Buffer.from('STARTTLS\r\n'), Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5])]));
    expect(await c.reply()).toBe(R220);
    expect(await c.waitClosed(1500)).toBe(true);
    expect(c.pending()).toBe('');
    expect(f.listener.stats.pipelinedDiscarded).toBe(5);
    expect(f.listener.stats.tlsHandshakeFailures).toBe(1);
  });
});

describe('reply ordering and the TLS boundary', () => {
  it('the 220 waits for a slow earlier reply, and nothing follows it in plaintext [27]', async () => {
    const f = await h.start('allow', cert, { delays: { NOOP: 300 } });
    const c = await f.connect();
    await c.reply();
    c.send('NOOP\r\nSTARTTLS\r\n');
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(await c.reply()).toBe(R220);
    expect(c.pending()).toBe('');
    const s = await c.startTls(cert.cert);
    expect(s.authorized).toBe(true);
  });

  it('garbage instead of a ClientHello: closed without a plaintext reply, backend quit [28]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('STARTTLS')).toBe(R220);
    c.send('HELLO?\r\n');
    expect(await c.waitClosed(2000)).toBe(true);
    expect(c.pending()).toBe('');
    await until(() => f.backend.log().includes('QUIT') || f.backend.connections[0].destroyed);
    expect(f.listener.stats.tlsHandshakeFailures).toBe(1);
    await until(() => f.listener.stats.clientCurConns === 0);
    expect(f.listener.stats.clientCurConns).toBe(0);
  });

  it('a silent client after 220 is closed after the handshake timeout, nothing sent [29]', async () => {
    const f = await h.start('allow', cert, {}, { clientSsl: { name: '/Common/cssl', certKeyChain: [cert], ciphers: 'DEFAULT', options: [], handshakeTimeout: 0.3 } });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('STARTTLS')).toBe(R220);
    const t0 = Date.now();
    // Closed by the 0.3 s handshake timeout: not before it (load can only make it later).
    expect(await c.waitClosed(10_000)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(c.pending()).toBe('');
    expect(f.listener.stats.tlsHandshakeFailures).toBe(1);
  });

  it('a TLS 1.0/1.1-only client fails the handshake [30]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('STARTTLS')).toBe(R220);
    await expect(c.startTls(cert.cert, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow();
    expect(await c.waitClosed(2000)).toBe(true);
    expect(await until(() => f.listener.stats.tlsHandshakeFailures === 1)).toBe(true);
  });
});

describe('implicit TLS (client-ssl without smtps)', () => {
  it('speaks TLS from the first byte, relays the greeting over TLS, no STARTTLS offered', async () => {
    const f = await h.start('implicit', cert);
    const c = h.track(await TestClient.connectTls(f.port, cert.cert));
    expect((c.socket as tls.TLSSocket).encrypted).toBe(true);
    expect(await c.reply()).toBe('220 mx.backend.test ESMTP mock\r\n');
    const ehlo = await c.cmd('EHLO c');
    expect(ehlo).not.toMatch(/STARTTLS/);
    expect(ehlo).toMatch(/AUTH PLAIN LOGIN/);
    expect(await c.cmd('STARTTLS')).toBe('554 5.5.1 Error: TLS already active\r\n');
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
  });

  it('a plaintext client on the implicit-TLS port gets no SMTP and is counted as a handshake failure', async () => {
    const f = await h.start('implicit', cert);
    const c = await f.connect();
    c.send('EHLO c\r\n');
    expect(await c.waitClosed(2000)).toBe(true);
    expect(c.all.toString('latin1')).not.toMatch(/^2\d\d /);
    expect(f.backend.received).toHaveLength(0);
    expect(await until(() => f.listener.stats.tlsHandshakeFailures === 1)).toBe(true);
  });
});
