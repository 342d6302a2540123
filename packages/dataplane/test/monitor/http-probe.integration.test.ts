/**
 * http, https and tcp-half-open probes against real servers on 127.0.0.1: what the probe sends,
 * and how the response decides up, down and disabled.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { httpProbe, tcpHalfOpenProbe, type MonitorSpec } from '@openltm/dataplane';
import { makeCert } from '../support/tls-fixture';
import { freePort } from '../helpers/sockets';

const spec = (over: Partial<MonitorSpec>): MonitorSpec => ({ name: '/Common/m', type: 'http', interval: 5, timeout: 16, destination: '*:*', ...over });

/** A tiny HTTP/1.0 server: records each request's head, answers with `reply`, then closes. */
class HttpServer {
  readonly requests: string[] = [];
  reply = 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nservice ok\r\n';
  port = 0;
  private server?: Server;

  async start(tls = false): Promise<void> {
    const onConn = (s: Socket): void => {
      let head = '';
      s.setEncoding('latin1');
      s.on('error', () => undefined);
      s.on('data', (d: string) => {
        head += d;
        if (head.includes('\r\n\r\n') || head.endsWith('\r\n')) {
          this.requests.push(head);
          s.end(this.reply);
        }
      });
    };
    if (tls) {
      const { cert, key } = makeCert('member.test');
      this.server = createTlsServer({ cert, key, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' }, onConn) as unknown as Server;
    } else this.server = createServer(onConn);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }
}

describe('http monitor probe', () => {
  const server = new HttpServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    server.reply = 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nservice ok\r\n';
  });

  test('without a send string the probe asks GET / HTTP/1.0; a response matching recv is up', async () => {
    const before = server.requests.length;
    const r = await httpProbe('127.0.0.1', server.port, spec({ recv: '^HTTP/1\\.[01] 200' }), 5000);
    expect(r).toEqual({ ok: true });
    expect(server.requests[before]).toBe('GET / HTTP/1.0\r\n\r\n');
  });

  test('the send string is sent with its escapes turned into bytes', async () => {
    const before = server.requests.length;
    await httpProbe('127.0.0.1', server.port, spec({ send: 'GET /health HTTP/1.1\\r\\nHost: mx.test\\r\\nConnection: close\\r\\n\\r\\n', recv: 'service ok' }), 5000);
    expect(server.requests[before]).toBe('GET /health HTTP/1.1\r\nHost: mx.test\r\nConnection: close\r\n\r\n');
  });

  test('a response that does not match recv fails, naming the receive string', async () => {
    server.reply = 'HTTP/1.0 503 Service Unavailable\r\n\r\nbusy\r\n';
    const r = await httpProbe('127.0.0.1', server.port, spec({ recv: '200 OK' }), 5000);
    expect(r).toEqual({ ok: false, error: 'response did not match the receive string "200 OK"' });
  });

  test('recv-disable: a response matching it and not recv takes the member out at once (a definite down)', async () => {
    server.reply = 'HTTP/1.0 200 OK\r\n\r\nmaintenance\r\n';
    const r = await httpProbe('127.0.0.1', server.port, spec({ recv: 'service ok', recvDisable: 'maintenance' }), 5000);
    expect(r).toMatchObject({ ok: false, down: true, error: 'response matched the receive disable string "maintenance"' });
  });

  test('recv takes precedence over recv-disable', async () => {
    server.reply = 'HTTP/1.0 200 OK\r\n\r\nservice ok (maintenance tonight)\r\n';
    expect(await httpProbe('127.0.0.1', server.port, spec({ recv: 'service ok', recvDisable: 'maintenance' }), 5000)).toEqual({ ok: true });
  });

  test('reverse: a match is a definite down, a response without one is up', async () => {
    server.reply = 'HTTP/1.0 200 OK\r\n\r\nDOWN for maintenance\r\n';
    expect(await httpProbe('127.0.0.1', server.port, spec({ recv: 'DOWN', reverse: true }), 5000)).toMatchObject({ ok: false, down: true });
    server.reply = 'HTTP/1.0 200 OK\r\n\r\nall fine\r\n';
    expect(await httpProbe('127.0.0.1', server.port, spec({ recv: 'DOWN', reverse: true }), 5000)).toEqual({ ok: true });
  });

  test('without recv, any response is up; a connection refused is not', async () => {
    expect(await httpProbe('127.0.0.1', server.port, spec({}), 5000)).toEqual({ ok: true });
    const closed = await freePort();
    expect(await httpProbe('127.0.0.1', closed, spec({}), 5000)).toEqual({ ok: false, error: 'ECONNREFUSED' });
  });

  test('a member that never answers fails at the timeout', async () => {
    const silent = createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const r = await httpProbe('127.0.0.1', (silent.address() as AddressInfo).port, spec({ recv: 'ok' }), 300);
      expect(r).toEqual({ ok: false, error: 'no response within 300 ms' });
    } finally {
      silent.close();
    }
  });
});

describe('https monitor probe', () => {
  const server = new HttpServer();
  beforeAll(() => server.start(true));
  afterAll(() => server.stop());

  test('speaks TLS (a self-signed member certificate is accepted, as on BIG-IP) and matches recv on the decrypted response', async () => {
    const before = server.requests.length;
    const r = await httpProbe('127.0.0.1', server.port, spec({ type: 'https', recv: 'service ok', cipherlist: 'DEFAULT' }), 5000);
    expect(r).toEqual({ ok: true });
    expect(server.requests[before]).toBe('GET / HTTP/1.0\r\n\r\n');
  });

  test('cipherlist is what the probe offers: none the member accepts fails the handshake', async () => {
    const r = await httpProbe('127.0.0.1', server.port, spec({ type: 'https', recv: 'service ok', cipherlist: 'ECDHE-ECDSA-CHACHA20-POLY1305' }), 5000);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/handshake|ERR_SSL|alert/i);
  });

  test('an http probe against the TLS member is not up', async () => {
    const r = await httpProbe('127.0.0.1', server.port, spec({ recv: 'service ok' }), 2000);
    expect(r.ok).toBe(false);
  });
});

describe('tcp-half-open probe', () => {
  test('up when the member accepts; it sends nothing and resets the connection (no FIN)', async () => {
    const seen: { bytes: number; error?: string }[] = [];
    const done = new Promise<void>((resolve) => {
      const server = createServer((s) => {
        const rec: { bytes: number; error?: string } = { bytes: 0 };
        seen.push(rec);
        s.on('data', (d) => (rec.bytes += d.length));
        s.on('error', (e: NodeJS.ErrnoException) => (rec.error = e.code));
        s.on('close', () => {
          server.close();
          resolve();
        });
      });
      server.listen(0, '127.0.0.1', async () => {
        const r = await tcpHalfOpenProbe('127.0.0.1', (server.address() as AddressInfo).port, spec({ type: 'tcp-half-open' }), 5000);
        expect(r).toEqual({ ok: true });
      });
    });
    await done;
    expect(seen).toEqual([{ bytes: 0, error: 'ECONNRESET' }]);
  });

  test('down when nothing listens', async () => {
    const closed = await freePort();
    expect(await tcpHalfOpenProbe('127.0.0.1', closed, spec({ type: 'tcp-half-open' }), 5000)).toEqual({ ok: false, error: 'ECONNREFUSED' });
  });
});
