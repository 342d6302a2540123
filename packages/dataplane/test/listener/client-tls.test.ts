/** ClientTls: the SNI choice and the profiles it refuses to half-apply (the e2e tests prove the sockets). */
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import type { ClientSslSpec } from '../../src/desired-state';
import { ClientTls, isTls13Session } from '../../src/listener/client-tls';
import { SessionCache } from '../../src/listener/session-cache';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
beforeAll(() => (cert = makeCert()));

const profile = (name: string, over: Partial<ClientSslSpec> = {}): ClientSslSpec => ({
  name: `/Common/${name}`, certKeyChain: [cert], ciphers: 'DEFAULT', options: [], handshakeTimeout: 10, ...over,
});

describe('ClientTls SNI choice', () => {
  const tlsOf = () => ClientTls.build('/Common/vs', profile('def', { sniDefault: true }), [
    profile('mail', { serverName: 'mail.example.test' }),
    profile('wild', { serverName: '*.example.net' }),
  ]);

  it('matches exact names case-insensitively (and a trailing dot), then one-label wildcards', () => {
    const t = tlsOf();
    expect(t.match('mail.example.test')?.name).toBe('/Common/mail');
    expect(t.match('MAIL.EXAMPLE.TEST.')?.name).toBe('/Common/mail');
    expect(t.match('mx.example.net')?.name).toBe('/Common/wild');
    expect(t.match('a.mx.example.net')).toBeUndefined();
    expect(t.match('example.net')).toBeUndefined();
    expect(t.match(undefined)).toBeUndefined();
  });
});

describe('ClientTls refuses what it cannot honour', () => {
  it('a non-default profile whose handshake settings differ from the SNI default', () => {
    expect(() => ClientTls.build('/Common/vs', profile('def'), [profile('mail', { serverName: 'm.test', ciphers: 'ECDHE+AESGCM' })]))
      .toThrow(/differs from the SNI default profile \(\/Common\/def\) in ciphers/);
    expect(() => ClientTls.build('/Common/vs', profile('def'), [profile('mail', { serverName: 'm.test', peerCertMode: 'request' })]))
      .toThrow(/in peer-cert-mode/);
    // A resumed session skips the SNI choice, so client-certificate trust may not differ by name.
    expect(() => ClientTls.build('/Common/vs', profile('def', { peerCertMode: 'request', caFile: cert.cert }), [profile('mail', { serverName: 'm.test', peerCertMode: 'request' })]))
      .toThrow(/in ca-file/);
  });

  it('peer-cert-mode require without a CA', () => {
    expect(() => ClientTls.build('/Common/vs', profile('def', { peerCertMode: 'require' }))).toThrow(/without a ca-file/);
  });
});

describe('SessionCache', () => {
  it('forgets the oldest entry beyond its size and every entry after its lifetime', () => {
    let now = 1000;
    const c = new SessionCache(2, 500, () => now);
    const id = (n: number) => Buffer.from([n]);
    c.set(id(1), Buffer.from('a'));
    c.set(id(2), Buffer.from('b'));
    c.set(id(3), Buffer.from('c'));
    expect(c.get(id(1))).toBeUndefined();
    expect(c.get(id(2))?.toString()).toBe('b');
    now += 500;
    expect(c.get(id(3))).toBeUndefined();
    expect(c.size).toBe(1);
  });
});

/** A real DER session from a real handshake at `version` (node's client 'session' event). */
async function realSession(version: 'TLSv1.2' | 'TLSv1.3'): Promise<Buffer> {
  const server = tls.createServer({ cert: cert.cert, key: cert.key, minVersion: version, maxVersion: version }, (s) => s.end('220 hi\r\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false });
      c.once('session', (sess: Buffer) => {
        resolve(sess);
        c.destroy();
      });
      c.on('error', reject);
      c.resume();
    });
  } finally {
    server.close();
  }
}

describe('isTls13Session', () => {
  it('tells a TLS 1.3 session from a TLS 1.2 one (real sessions)', async () => {
    expect(isTls13Session(await realSession('TLSv1.3'))).toBe(true);
    expect(isTls13Session(await realSession('TLSv1.2'))).toBe(false);
    expect(isTls13Session(Buffer.from([0x04, 0x00]))).toBe(false);
  });
});

describe('ClientTls session cache over real sockets', () => {
  /** A TLS server whose sockets are made as a listener makes them, and one TLS 1.2 client offering `session`. */
  async function handshake(t: ClientTls, session?: Buffer): Promise<{ reused: boolean; session?: Buffer }> {
    const net = await import('node:net');
    const server = net.createServer((raw) => {
      const s = new tls.TLSSocket(raw, t.socketOptions().options);
      s.on('secure', () => s.end('220 hi\r\n'));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      return await new Promise((resolve, reject) => {
        let got: Buffer | undefined;
        const c = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false, maxVersion: 'TLSv1.2', ...(session ? { session } : {}) });
        let reused = false;
        c.on('secureConnect', () => (reused = c.isSessionReused()));
        c.on('session', (s: Buffer) => (got = s));
        c.on('error', reject);
        c.on('close', () => resolve({ reused, ...(got ? { session: got } : {}) }));
        c.resume();
      });
    } finally {
      server.close();
    }
  }

  it('with the default cache a TLS 1.2 session is stored and resumed', async () => {
    const t = ClientTls.build('/Common/vs', profile('def'));
    const first = await handshake(t);
    expect(first.reused).toBe(false);
    expect(t.cachedSessions).toBe(1);
    expect((await handshake(t, first.session)).reused).toBe(true);
  });

  it('with cache-size 0 nothing is stored or looked up: no session callbacks into JavaScript, no resumption', async () => {
    const t = ClientTls.build('/Common/vs', profile('def', { cacheSize: 0 }));
    // Without a `server` carrying session listeners node never enables OpenSSL's session callbacks.
    expect(t.socketOptions().options.server).toBeUndefined();
    const first = await handshake(t);
    expect((await handshake(t, first.session)).reused).toBe(false);
    expect(t.cachedSessions).toBe(0);
  });
});
