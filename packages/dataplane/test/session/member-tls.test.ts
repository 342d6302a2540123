/**
 * server-ssl never downgrades: a member that does not offer STARTTLS, refuses it, or pipelines
 * bytes behind its 220 (STARTTLS injection towards the proxy) is a failed member connection, and
 * none of the client's SMTP reaches it in plaintext. Real sockets; the mock backend is plaintext.
 */
import * as net from 'node:net';
import pino from 'pino';
import * as tls from 'node:tls';
import { Harness, virtualSpec } from '../support/harness';
import { B0_EHLO, type MockBackendOptions } from '../support/mock-backend';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const serverSsl = { name: '/Common/serverssl', ciphers: 'DEFAULT', options: [], peerCertMode: 'ignore' as const, handshakeTimeout: 2 };

/** A logger that keeps its lines, to read what the proxy said about the member. */
function capture(): { logger: pino.Logger; text: () => string } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (l: string) => lines.push(l) }), text: () => lines.join('') };
}

async function tryMember(backendOpts: MockBackendOptions) {
  const log = capture();
  const f = await h.start('plain', cert, backendOpts, { serverSsl }, { logger: log.logger });
  const c = await f.connect();
  const reply = await c.reply();
  c.send('EHLO client.test\r\nMAIL FROM:<a@b.test>\r\n');
  await c.waitClosed(3000);
  // A TLS failure is this virtual's server-ssl against the member, not the member's health.
  expect(f.selector.failures).toEqual([]);
  return { reply, received: f.backend.log(), log: log.text() };
}

describe('server-ssl towards a plaintext-only member', () => {
  it('refuses a member that does not offer STARTTLS: 421 to the client, only the proxy\'s EHLO reached the member', async () => {
    const r = await tryMember({ ehlo: B0_EHLO.replace('250-STARTTLS\r\n', '') });
    expect(r.reply).toMatch(/^421 4\.3\.2 /);
    expect(r.received).toBe('EHLO proxy.test\r\n');
    expect(r.log).toMatch(/does not offer STARTTLS/);
  });

  it('refuses a member that answers STARTTLS with 454', async () => {
    const r = await tryMember({ replies: { STARTTLS: '454 4.7.0 TLS not available due to local problem\r\n' } });
    expect(r.reply).toMatch(/^421 4\.3\.2 /);
    expect(r.received).toBe('EHLO proxy.test\r\nSTARTTLS\r\n');
    expect(r.log).toMatch(/refused STARTTLS \(454\)/);
  });

  it('refuses a member that pipelines a reply behind its 220 (it would be read as TLS)', async () => {
    const r = await tryMember({ replies: { STARTTLS: '220 2.0.0 Ready to start TLS\r\n250 injected\r\n' } });
    expect(r.reply).toMatch(/^421 4\.3\.2 /);
    expect(r.received).not.toMatch(/MAIL FROM/);
    expect(r.log).toMatch(/pipelined/);
  });
});

/**
 * A member that does STARTTLS for real: plaintext greeting and EHLO, then TLS (node's server side),
 * recording the SNI name the proxy sent and the commands it got inside TLS.
 */
async function tlsMember(memberCert: TestCert): Promise<{ port: number; sni: string[]; insideTls: string[]; close(): Promise<void> }> {
  const sni: string[] = [];
  const insideTls: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on('error', () => undefined);
    raw.write('220 member.test ESMTP\r\n');
    let buf = '';
    const onPlain = (d: Buffer) => {
      buf += d.toString('latin1');
      if (/^EHLO .*\r\n$/m.test(buf) && !/STARTTLS/.test(buf)) {
        raw.write('250-member.test\r\n250 STARTTLS\r\n');
        buf = '';
      } else if (/^STARTTLS\r\n$/.test(buf)) {
        raw.removeListener('data', onPlain);
        raw.write('220 2.0.0 Ready to start TLS\r\n');
        const t = new tls.TLSSocket(raw, {
          isServer: true,
          secureContext: tls.createSecureContext({ cert: memberCert.cert, key: memberCert.key }),
          SNICallback: (name, cb) => {
            sni.push(name);
            cb(null, undefined);
          },
        });
        t.on('error', () => undefined);
        t.on('data', (c: Buffer) => {
          for (const line of c.toString('latin1').split('\r\n').filter(Boolean)) {
            insideTls.push(line);
            t.write(line.startsWith('QUIT') ? '221 bye\r\n' : '250 ok\r\n');
          }
        });
      }
    };
    raw.on('data', onPlain);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sni,
    insideTls,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('server-ssl towards a member that does STARTTLS', () => {
  it('sends server-name as SNI, relays the client\'s commands only inside TLS, and verifies the name', async () => {
    const memberCert = makeCert('mx.backend.test');
    const member = await tlsMember(memberCert);
    try {
      const spec = virtualSpec('plain', cert, { serverSsl: { ...serverSsl, serverName: 'mx.backend.test', peerCertMode: 'require', caFile: memberCert.cert } });
      const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
      const c = await h.client(port);
      expect(await c.reply()).toBe('220 member.test ESMTP\r\n');
      expect(await c.cmd('EHLO client.test')).toBe('250 ok\r\n');
      expect(member.sni).toEqual(['mx.backend.test']);
      expect(member.insideTls).toEqual(['EHLO client.test']);

      // The same member under another expected name: verification fails, the client gets 421.
      const wrong = virtualSpec('plain', cert, { serverSsl: { ...serverSsl, serverName: 'other.backend.test', peerCertMode: 'require', caFile: memberCert.cert } });
      const w = await h.proxy(wrong, [{ address: '127.0.0.1', port: member.port }]);
      const c2 = await h.client(w.port);
      expect(await c2.reply()).toMatch(/^421 4\.3\.2 /);
      expect(member.insideTls).toEqual(['EHLO client.test']);
    } finally {
      await member.close();
    }
  });
});

describe('server-ssl handshake-timeout', () => {
  it('gives up on a member that accepts STARTTLS and then never answers the handshake, well before the greeting timeout', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((raw) => {
      sockets.add(raw);
      raw.on('error', () => undefined);
      raw.write('220 member.test ESMTP\r\n');
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d.toString('latin1');
        if (buf === 'EHLO proxy.test\r\n') raw.write('250-member.test\r\n250 STARTTLS\r\n');
        if (buf.endsWith('STARTTLS\r\n')) {
          raw.removeListener('data', onData);
          raw.write('220 2.0.0 Ready to start TLS\r\n'); // and then silence: the ClientHello is never answered
        }
      };
      raw.on('data', onData);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const spec = virtualSpec('plain', cert, { serverSsl: { ...serverSsl, handshakeTimeout: 1 } });
      // A greeting timeout of a minute: only the profile's handshake-timeout can end this within the wait below.
      const log = capture();
      const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: (silent.address() as net.AddressInfo).port }], { timeouts: { backendConnect: 1000, backendGreeting: 60_000 }, logger: log.logger });
      const c = await h.client(port);
      expect(await c.reply(20_000)).toMatch(/^421 4\.3\.2 /);
      expect(log.text()).toMatch(/server-ssl: TLS handshake timeout/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 30_000);
});
