import { createServer, Server, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { makeSelfSignedCert, TestCertificate } from './certs';
import { postfixProcessesUnder, PrivatePostfix, startPostfix } from './postfix';
import { probeStarttlsInjection } from './starttls-injection';

/**
 * A deliberately vulnerable STARTTLS server (the CVE-2011-0411 bug class): it keeps the bytes
 * that followed STARTTLS in its line buffer and answers them once TLS is up. The positive control
 * that shows the probe can report "injectable".
 */
function vulnerableServer(cert: TestCertificate, opts: { answerInClear?: boolean } = {}): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let stream: Socket | TLSSocket = sock;
    let buf = '';
    const handle = (): void => {
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'STARTTLS' && stream === sock) {
          sock.write('220 go ahead\r\n');
          if (opts.answerInClear) continue; // answers the rest in clear, then never upgrades
          sock.removeAllListeners('data');
          const t = new TLSSocket(sock, { isServer: true, cert: cert.certPem, key: cert.keyPem });
          t.on('error', () => undefined);
          t.on('data', (d: Buffer) => {
            buf += d.toString('latin1');
            handle();
          });
          stream = t;
          // The bug: `buf` still holds the injected bytes and is processed once the handshake is done.
          t.once('secure', handle);
          return;
        }
        if (verb === 'EHLO') stream.write('250-vuln.test\r\n250 STARTTLS\r\n');
        else if (verb === 'QUIT') stream.end('221 bye\r\n');
        else if (verb === 'NOOP') stream.write('250 ok\r\n');
        else stream.write('502 unknown\r\n');
      }
    };
    sock.write('220 vuln.test ESMTP\r\n');
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      handle();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, sockets })),
  );
}

describe('STARTTLS command-injection probe', () => {
  let cert: TestCertificate;
  let postfix: PrivatePostfix;

  beforeAll(async () => {
    cert = await makeSelfSignedCert({ keyType: 'ec' });
    postfix = await startPostfix({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
  });
  afterAll(async () => {
    await postfix?.stop();
    cert?.remove();
    expect(postfixProcessesUnder(postfix.dir)).toEqual([]);
  });

  it('reports Postfix as not injectable: the pipelined EHLO is discarded, FAKE is refused', async () => {
    const r = await probeStarttlsInjection({ port: postfix.port, waitMs: 300 });
    expect(r.verdict).toBe('not-injectable');
    expect(r.injectable).toBe(false);
    expect(r.starttlsReply?.code).toBe(220);
    expect(r.unpromptedInsideTls).toBe('');
    expect(r.fakeReply?.code).toBeGreaterThanOrEqual(500);
    expect(r.detail).toMatch(/^TLSv1\.[23] /);
  });

  it('also with an injected NOOP', async () => {
    const r = await probeStarttlsInjection({ port: postfix.port, injected: 'NOOP\r\n', waitMs: 300 });
    expect(r.verdict).toBe('not-injectable');
  });

  it('reports no-starttls against a server without STARTTLS', async () => {
    const plain = await startPostfix();
    try {
      expect((await probeStarttlsInjection({ port: plain.port })).verdict).toBe('no-starttls');
    } finally {
      await plain.stop();
    }
  });

  it.each([
    ['answers the injected command inside TLS', {}],
    ['answers the injected command in clear after 220', { answerInClear: true }],
  ])('reports a server that %s as injectable', async (_name, opts) => {
    const vuln = await vulnerableServer(cert, opts);
    try {
      const r = await probeStarttlsInjection({ port: vuln.port, waitMs: 300 });
      expect(r.verdict).toBe('injectable');
      expect(r.injectable).toBe(true);
      expect(r.unpromptedInsideTls + r.plaintextAfter220).toContain('250-vuln.test');
    } finally {
      for (const s of vuln.sockets) s.destroy();
      await new Promise((r) => vuln.server.close(r));
    }
  });
});
