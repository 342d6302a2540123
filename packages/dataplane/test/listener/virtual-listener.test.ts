/** VirtualListener: connection limit, drain, live update, bind and TLS failures, statistics. */
import * as net from 'node:net';
import { ConfigError } from '@openltm/model';
import { ListenError, VirtualListener } from '../../src/listener/virtual-listener';
import { FixedSelector } from '../support/fixed-selector';
import { Harness, silentLogger, until, virtualSpec } from '../support/harness';
import { parseEhlo, TestClient } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

describe('connection limit', () => {
  it('a client over the limit gets 421 4.7.0, not a silent drop; counters follow', async () => {
    const f = await h.start('allow', cert, {}, { connectionLimit: 1 });
    const first = await f.connect();
    await first.reply();
    const second = await f.connect();
    expect(await second.reply()).toBe('421 4.7.0 proxy.test Error: too many connections, try again later\r\n');
    expect(await second.waitClosed(1000)).toBe(true);
    expect(f.listener.stats.connectionLimitRejected).toBe(1);
    expect(f.listener.stats).toMatchObject({ clientCurConns: 1, clientMaxConns: 1, clientTotConns: 1 });
    await first.cmd('QUIT');
    await until(() => f.listener.activeSessions === 0);
    const third = await f.connect();
    expect(await third.reply()).toMatch(/^220 /);
    expect(f.listener.stats).toMatchObject({ clientCurConns: 1, clientMaxConns: 1, clientTotConns: 2 });
  });
  // Implicit TLS over the limit: a reset before any handshake (admission.test.ts).
});

describe('drain', () => {
  it('stops accepting, lets a session finish, and ends early when it does', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    // A drain timeout far beyond the test's own: drain() resolving at all means it ended early.
    const drained = f.listener.drain(10 * 60_000);
    await expect(TestClient.connect(f.port)).rejects.toThrow(/ECONNREFUSED/);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(await c.cmd('QUIT')).toBe('221 2.0.0 Bye\r\n');
    await drained;
    expect(f.listener.activeSessions).toBe(0);
    // Ended by the session's own QUIT, not by the drain deadline's 421.
    expect(c.all.toString('latin1')).not.toContain('421');
  });

  it('past the drain timeout a running session gets 421 and is closed', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await f.listener.drain(200);
    expect(await c.reply()).toBe('421 4.3.2 proxy.test Service shutting down, closing transmission channel\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
    expect(f.listener.activeSessions).toBe(0);
    expect(await until(() => f.backend.log().endsWith('QUIT\r\n'))).toBe(true);
  });
});

describe('update', () => {
  it('new sessions use the new profiles; running sessions keep theirs', async () => {
    const f = await h.start('allow', cert);
    const old = await f.connect();
    await old.reply();
    f.listener.update(virtualSpec('none', cert));
    expect(f.listener.spec.smtps?.activationMode).toBe('none');
    const fresh = await f.connect();
    await fresh.reply();
    expect(parseEhlo(await fresh.cmd('EHLO c')).keywords).not.toContain('STARTTLS');
    expect(parseEhlo(await old.cmd('EHLO c')).keywords).toContain('STARTTLS');
    expect(await old.cmd('STARTTLS')).toMatch(/^220 /);
    await old.startTls(cert.cert);
  });

  it('a bad edit throws and leaves the old configuration serving', async () => {
    const f = await h.start('require', cert);
    const bad = virtualSpec('allow', cert);
    bad.clientSsl!.ciphers = 'NOT-A-CIPHER';
    expect(() => f.listener.update(bad)).toThrow(ConfigError);
    expect(f.listener.spec.smtps?.activationMode).toBe('require');
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toMatch(/^530 /);
  });

  it('a different destination needs a new listener', async () => {
    const f = await h.start('allow', cert);
    expect(() => f.listener.update(virtualSpec('allow', cert, { port: 1 }))).toThrow(/new destination/);
  });

  it('a changed pool applies to new sessions', async () => {
    const f = await h.start('allow', cert);
    f.listener.update(virtualSpec('allow', cert, { pool: undefined }));
    const c = await f.connect();
    expect(await c.reply()).toMatch(/^421 4\.3\.2 /);
  });
});

describe('listen failures', () => {
  it('a port in use rejects with a clear reason and holds no socket', async () => {
    const f = await h.start('allow', cert);
    const l = new VirtualListener(virtualSpec('allow', cert, { port: f.port }), { selector: new FixedSelector([]), logger: silentLogger });
    const err = await l.listen().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect((err as ListenError).code).toBe('EADDRINUSE');
    expect((err as Error).message).toBe(`Virtual server (/Common/vs_test) cannot listen on 127.0.0.1:${f.port}: address already in use.`);
    expect(() => l.address()).toThrow(/not listening/);
  });

  it('a key that does not load rejects listen() and binds nothing', async () => {
    const spec = virtualSpec('allow', { cert: cert.cert, key: 'not a key' });
    const l = new VirtualListener(spec, { selector: new FixedSelector([]), logger: silentLogger });
    await expect(l.listen()).rejects.toThrow(/Client SSL profile \(\/Common\/cssl\) cannot be loaded/);
    expect(() => l.address()).toThrow(/not listening/);
  });

  it('IPv6 destinations are named in brackets', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r, j) => blocker.once('error', j).listen(0, '::1', r)).catch(() => undefined);
    const a = blocker.address();
    if (!a || typeof a === 'string') return; // no IPv6 loopback on this machine
    const l = new VirtualListener(virtualSpec('plain', undefined, { address: '::1', port: a.port }), { selector: new FixedSelector([]), logger: silentLogger });
    await expect(l.listen()).rejects.toThrow(`cannot listen on [::1]:${a.port}: address already in use.`);
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});

describe('statistics', () => {
  it('counts bytes, STARTTLS offers and upgrades, messages', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.upgrade(cert.cert);
    await c.cmd('MAIL FROM:<a@a.test>');
    await c.cmd('RCPT TO:<b@b.test>');
    await c.cmd('DATA');
    await c.cmd('hello\r\n.');
    await c.cmd('QUIT');
    await c.waitClosed(1000);
    const s = f.listener.stats;
    expect(s).toMatchObject({ starttlsOffered: 1, starttlsUpgraded: 1, messages: 1, tlsHandshakeFailures: 0, clientTotConns: 1 });
    expect(await until(() => f.listener.stats.clientCurConns === 0)).toBe(true);
    expect(s.clientBytesIn).toBeGreaterThan(50);
    expect(s.clientBytesOut).toBeGreaterThan(100);
  });
});
