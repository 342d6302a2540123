/**
 * Admission over real sockets: connection-limit, rate-limit with its modes and masks, the daemon's
 * per-source limit. Refusals happen before any TLS byte, leave nothing open, and are counted.
 * Rate windows run on an injected clock, so no assertion depends on how fast the machine is.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { rateKey } from '../../src/listener/admission';
import { addressPrefix } from '../../src/listener/address-prefix';
import { RateWindows } from '../../src/listener/rate-windows';
import type { RateLimitSpec } from '../../src/desired-state';
import { Harness, until, virtualSpec } from '../support/harness';
import { TestClient } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const TOO_MANY = '421 4.7.0 proxy.test Error: too many connections, try again later\r\n';
const rate = (perSecond: number, mode: RateLimitSpec['mode'] = 'object', srcMask = 0, dstMask = 0): RateLimitSpec => ({ perSecond, mode, srcMask, dstMask });

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

async function client(port: number, localAddress?: string, allowHalfOpen = false): Promise<TestClient> {
  return h.track(await TestClient.connect(port, { ...(localAddress ? { localAddress } : {}), allowHalfOpen }));
}

/** Opens a raw TCP connection and starts a TLS handshake on it; reports what came back. */
function tlsAttempt(port: number): Promise<{ bytes: number; error: string | undefined }> {
  return new Promise((resolve) => {
    const raw = net.connect({ host: '127.0.0.1', port });
    let bytes = 0;
    let error: string | undefined;
    raw.on('data', (d: Buffer) => (bytes += d.length));
    raw.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    raw.once('close', () => resolve({ bytes, error }));
    raw.once('connect', () => {
      const s = tls.connect({ socket: raw, servername: 'proxy.test', ca: cert.cert });
      s.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
      s.on('secureConnect', () => (error ??= 'handshake completed'));
    });
  });
}

describe('connection-limit', () => {
  it('plain/STARTTLS: 421 4.7.0, then the refused socket is closed at once (nothing lingers half-open)', async () => {
    const f = await h.start('allow', cert, {}, { connectionLimit: 1 });
    const first = await client(f.port);
    expect(await first.reply()).toMatch(/^220 /);
    // A client that keeps its side open: the old code left the refused socket open for 2 s.
    const second = await client(f.port, undefined, true);
    expect(await second.reply()).toBe(TOO_MANY);
    expect(await second.waitEnded()).toBe(true);
    expect(await f.listener.openConnections()).toBe(1);
    expect(f.listener.stats).toMatchObject({ connectionLimitRejected: 1, clientCurConns: 1, clientTotConns: 1 });
    await first.cmd('QUIT');
    await until(() => f.listener.activeSessions === 0);
    const third = await client(f.port);
    expect(await third.reply()).toMatch(/^220 /);
  });

  it('implicit TLS: reset before any TLS byte, no handshake is spent on the refusal', async () => {
    const f = await h.start('implicit', cert, {}, { connectionLimit: 1 });
    const first = h.track(await TestClient.connectTls(f.port, cert.cert));
    expect(await first.reply()).toMatch(/^220 /);
    const refused = await tlsAttempt(f.port);
    expect(refused.bytes).toBe(0);
    expect(refused.error).toBe('ECONNRESET');
    expect(f.listener.stats).toMatchObject({ connectionLimitRejected: 1, tlsHandshakeFailures: 0, clientTotConns: 1 });
    expect(await f.listener.openConnections()).toBe(1);
  });

  it('a raised limit applies to the next connection; running sessions still count', async () => {
    const f = await h.start('allow', cert, {}, { connectionLimit: 1 });
    const first = await client(f.port);
    await first.reply();
    f.listener.update(virtualSpec('allow', cert, { connectionLimit: 2 }));
    const second = await client(f.port);
    expect(await second.reply()).toMatch(/^220 /);
    const third = await client(f.port);
    expect(await third.reply()).toBe(TOO_MANY);
  });
});

describe('rate-limit', () => {
  it('object: the virtual admits rate-limit new connections per second, then refuses until the second has passed', async () => {
    const clock = manualClock();
    const f = await h.start('allow', cert, {}, { rateLimit: rate(2) }, { admission: { clock: clock.now } });
    for (let i = 0; i < 2; i++) expect(await (await client(f.port)).reply()).toMatch(/^220 /);
    expect(await (await client(f.port)).reply()).toBe(TOO_MANY);
    expect(f.listener.stats.rateLimitRejected).toBe(1);
    clock.advance(500);
    expect(await (await client(f.port)).reply()).toBe(TOO_MANY);
    // A new second starts, but the last sliding second is still full: no fresh burst at the edge.
    clock.advance(500);
    expect(await (await client(f.port)).reply()).toBe(TOO_MANY);
    clock.advance(600);
    expect(await (await client(f.port)).reply()).toMatch(/^220 /);
    expect(f.listener.stats).toMatchObject({ rateLimitRejected: 3, clientTotConns: 3 });
  });

  it('implicit TLS: over the rate is a reset before the handshake', async () => {
    const clock = manualClock();
    const f = await h.start('implicit', cert, {}, { rateLimit: rate(1) }, { admission: { clock: clock.now } });
    expect(await h.track(await TestClient.connectTls(f.port, cert.cert)).reply()).toMatch(/^220 /);
    const refused = await tlsAttempt(f.port);
    expect(refused).toEqual({ bytes: 0, error: 'ECONNRESET' });
    expect(f.listener.stats).toMatchObject({ rateLimitRejected: 1, tlsHandshakeFailures: 0 });
  });

  it('object-source: each client address has its own budget; rate-limit-src-mask groups addresses', async () => {
    const clock = manualClock();
    const f = await h.start('allow', cert, {}, { rateLimit: rate(1, 'object-source') }, { admission: { clock: clock.now } });
    expect(await (await client(f.port, '127.0.0.1')).reply()).toMatch(/^220 /);
    expect(await (await client(f.port, '127.0.0.1')).reply()).toBe(TOO_MANY);
    expect(await (await client(f.port, '127.0.0.2')).reply()).toMatch(/^220 /);

    const g = await h.start('allow', cert, {}, { rateLimit: rate(1, 'object-source', 8) }, { admission: { clock: clock.now } });
    expect(await (await client(g.port, '127.0.0.1')).reply()).toMatch(/^220 /);
    expect(await (await client(g.port, '127.0.0.2')).reply()).toBe(TOO_MANY);
  });

  it('source (no object): one count per client across every virtual sharing the daemon table', async () => {
    const clock = manualClock();
    const rates = new RateWindows();
    const admission = { clock: clock.now, rates };
    const a = await h.start('allow', cert, {}, { name: '/Common/vs_a', rateLimit: rate(1, 'source') }, { admission });
    const b = await h.start('allow', cert, {}, { name: '/Common/vs_b', rateLimit: rate(1, 'source') }, { admission });
    const c = await h.start('allow', cert, {}, { name: '/Common/vs_c', rateLimit: rate(1, 'object-source') }, { admission });
    expect(await (await client(a.port)).reply()).toMatch(/^220 /);
    expect(await (await client(b.port)).reply()).toBe(TOO_MANY);
    // object-source keeps its own count per virtual.
    expect(await (await client(c.port)).reply()).toMatch(/^220 /);
    expect(b.listener.stats.rateLimitRejected).toBe(1);
  });
});

describe('rate-limit-mode destination', () => {
  it('counts per virtual address, not per virtual or port: two virtuals on one address share the count', async () => {
    const clock = manualClock();
    const admission = { clock: clock.now, rates: new RateWindows() };
    const a = await h.start('allow', cert, {}, { name: '/Common/vs_a', rateLimit: rate(1, 'destination') }, { admission });
    const b = await h.start('allow', cert, {}, { name: '/Common/vs_b', rateLimit: rate(1, 'destination') }, { admission });
    const c = await h.start('allow', cert, {}, { name: '/Common/vs_c', rateLimit: rate(1, 'object-destination') }, { admission });
    expect(await (await client(a.port)).reply()).toMatch(/^220 /);
    // Another client address, same destination address: still over.
    expect(await (await client(b.port, '127.0.0.2')).reply()).toBe(TOO_MANY);
    expect(await (await client(c.port)).reply()).toMatch(/^220 /);
    expect(await (await client(c.port, '127.0.0.2')).reply()).toBe(TOO_MANY);
  });
});

describe('per-source connection limit (daemon option)', () => {
  it('one address may hold N sessions; another address is not affected; a closed session frees its place', async () => {
    const f = await h.start('allow', cert, {}, {}, { admission: { sourceConnectionLimit: 1 } });
    const first = await client(f.port, '127.0.0.1');
    expect(await first.reply()).toMatch(/^220 /);
    expect(await (await client(f.port, '127.0.0.1')).reply()).toBe(TOO_MANY);
    expect(await (await client(f.port, '127.0.0.2')).reply()).toMatch(/^220 /);
    expect(f.listener.stats.sourceLimitRejected).toBe(1);
    await first.cmd('QUIT');
    await until(() => f.listener.stats.clientCurConns === 1);
    expect(await (await client(f.port, '127.0.0.1')).reply()).toMatch(/^220 /);
  });
});

describe('rate keys and masks', () => {
  it('masks addresses to the configured prefix; IPv4-mapped IPv6 counts as IPv4', () => {
    expect(addressPrefix('192.0.2.77', 0)).toBe('192.0.2.77');
    expect(addressPrefix('192.0.2.77', 24)).toBe('192.0.2.0/24');
    expect(addressPrefix('::ffff:192.0.2.77', 24)).toBe('192.0.2.0/24');
    expect(addressPrefix('2001:db8:1:2:3:4:5:6', 48)).toBe('2001:db8:1:0:0:0:0:0/48');
    expect(addressPrefix('2001:db8::1', 0)).toBe('2001:db8:0:0:0:0:0:1');
    expect(addressPrefix('2001:db8:ffff::1', 36)).toBe('2001:db8:f000:0:0:0:0:0/36');
  });

  it('rate-limit-mode chooses what a key holds; rate-limit-dst-mask masks the virtual address', () => {
    const peer = { remoteAddress: '198.51.100.9', localAddress: '192.0.2.10' };
    expect(rateKey('/Common/vs', rate(1), peer)).toBe('object|/Common/vs');
    expect(rateKey('/Common/vs', rate(1, 'source-destination', 16, 24), peer)).toBe('source-destination||198.51.0.0/16|192.0.2.0/24');
    expect(rateKey('/Common/vs', rate(1, 'object-destination'), peer)).toBe('object-destination|/Common/vs|192.0.2.10');
  });

  it('the table forgets idle keys and never holds more than its cap', () => {
    const w = new RateWindows(100);
    for (let i = 0; i < 1000; i++) expect(w.take(`k${i}`, 1, 0)).toBe(true);
    expect(w.size).toBe(100);
    w.take('fresh', 1, 5000);
    expect(w.size).toBe(1);
  });
});
