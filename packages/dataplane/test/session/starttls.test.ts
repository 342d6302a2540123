/** The STARTTLS command: smtp-starttls.md §5.2 (cases 12-22). */
import * as tls from 'node:tls';
import { Harness, until } from '../support/harness';
import { parseEhlo } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const R220 = '220 2.0.0 Ready to start TLS\r\n';

describe('STARTTLS', () => {
  it('upgrades with the profile certificate; the backend never sees STARTTLS [12]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('STARTTLS')).toBe(R220);
    const s = await c.startTls(cert.cert);
    expect(s.authorized).toBe(true);
    expect((s.getPeerCertificate() as tls.PeerCertificate).subjectaltname).toContain('DNS:proxy.test');
    expect(parseEhlo(await c.cmd('EHLO c')).valid).toBe(true);
    expect(f.backend.log()).not.toMatch(/STARTTLS/i);
    expect(f.listener.stats.starttlsUpgraded).toBe(1);
  });

  it('only EHLO reached the backend before TLS: the member connection is kept [12, decision 1]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    await c.upgrade(cert.cert);
    expect(f.backend.received).toHaveLength(1);
    expect(f.backend.log()).toBe('EHLO c\r\nEHLO c\r\n');
  });

  it.each(['starttls', 'StartTls', 'STARTTLS '])('accepts %j (case, trailing space) [13,15]', async (line) => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd(line)).toBe(R220);
    await c.startTls(cert.cert);
  });

  it('STARTTLS with an argument gets 501 and the session stays plaintext [14]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('STARTTLS now')).toBe('501 5.5.4 Syntax: STARTTLS\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(await c.cmd('STARTTLS')).toBe(R220);
    await c.startTls(cert.cert);
  });

  it('a second STARTTLS over TLS gets 554 and the session continues [16]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('STARTTLS');
    await c.startTls(cert.cert);
    await c.cmd('EHLO c');
    expect(await c.cmd('STARTTLS')).toBe('554 5.5.1 Error: TLS already active\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
  });

  it('STARTTLS straight after the greeting is accepted [17]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('STARTTLS')).toBe(R220);
    await c.startTls(cert.cert);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
  });

  it('activation-mode none: 502, never forwarded, plaintext continues [18]', async () => {
    const f = await h.start('none', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('STARTTLS')).toBe('502 5.5.1 Error: command not implemented\r\n');
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(f.backend.log()).not.toMatch(/STARTTLS/i);
  });

  it('no TLS context (smtps allow without client-ssl): 454, not advertised, plaintext continues [19]', async () => {
    const f = await h.start('allow', undefined);
    const c = await f.connect();
    await c.reply();
    expect(parseEhlo(await c.cmd('EHLO c')).keywords).not.toContain('STARTTLS');
    expect(await c.cmd('STARTTLS')).toBe('454 4.7.0 TLS not available due to local problem\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
  });

  it('mid-transaction: after TLS, RCPT before EHLO gets 503 locally [20]; a fresh backend has no transaction [21]', async () => {
    const f = await h.start('allow', cert, { replies: { RCPT: '250 2.1.5 Ok\r\n' } });
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(await c.cmd('STARTTLS')).toBe(R220);
    await c.startTls(cert.cert);
    expect(await c.cmd('RCPT TO:<b@b.test>')).toBe('503 5.5.1 Error: send HELO/EHLO first\r\n');
    await c.cmd('EHLO c');
    // The MAIL went to the first member connection, which got QUIT; the second saw only TLS-era commands.
    await until(() => f.backend.received.length === 2);
    expect(f.backend.received[0].toString()).toBe('EHLO c\r\nMAIL FROM:<a@a.test>\r\nQUIT\r\n');
    await c.cmd('RCPT TO:<b@b.test>');
    expect(f.backend.received[1].toString()).toBe('EHLO c\r\nRCPT TO:<b@b.test>\r\n');
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(await c.cmd('RCPT TO:<b@b.test>')).toBe('250 2.1.5 Ok\r\n');
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    expect(await c.cmd('hi\r\n.')).toBe('250 2.0.0 Ok: queued as MOCK1\r\n');
  });

  it('after TLS, MAIL pipelined in the same write as the new EHLO is relayed, not refused with 503', async () => {
    const f = await h.start('require', cert, { replies: { RCPT: '250 2.1.5 Ok\r\n' } });
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('STARTTLS')).toBe(R220);
    await c.startTls(cert.cert);
    c.send('EHLO c\r\nMAIL FROM:<a@a.test>\r\n');
    expect(await c.reply()).toMatch(/^250[ -]/);
    expect(await c.reply()).toBe('250 2.1.0 Ok\r\n');
  });

  it('with allow-plaintext-auth, an AUTH before TLS forces a fresh backend connection [decision 1, 5]', async () => {
    const f = await h.start('allow', cert, { replies: { AUTH: '235 2.7.0 Authentication successful\r\n' } }, { smtps: { name: '/Common/smtps', activationMode: 'allow', allowPlaintextAuth: true } });
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('AUTH PLAIN AHUAcA==')).toMatch(/^235 /);
    await c.cmd('STARTTLS');
    await c.startTls(cert.cert);
    await c.cmd('EHLO c');
    expect(f.backend.received).toHaveLength(2);
    expect(f.backend.received[1].toString()).not.toContain('AUTH');
  });

  it('no second greeting after the handshake [22]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    await c.cmd('MAIL FROM:<a@a.test>');
    await c.cmd('STARTTLS');
    await c.startTls(cert.cert);
    expect(await c.silentFor(1000)).toBe(true);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
  });
});

describe('member lost during the handshake', () => {
  it('no plaintext is written; a fresh member serves the TLS session', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('STARTTLS')).toBe(R220);
    f.backend.connections[0].end('421 4.3.2 going away\r\n');
    await until(() => f.backend.connections[0].destroyed || f.backend.connections[0].writableEnded);
    await new Promise((r) => setTimeout(r, 50));
    await c.startTls(cert.cert);
    expect(await c.cmd('EHLO c')).toMatch(/^250-mx\.backend\.test/);
    expect(f.backend.received).toHaveLength(2);
    expect(c.all.toString('latin1')).not.toContain('421');
  });
});
