/**
 * Which process holds the server end of a TCP connection on 127.0.0.1 (`ss -tnp`): in the
 * multi-process daemon the kernel gives each connection to whichever worker accepts it first, so
 * tests that care which worker serves a session ask the kernel, not the order of connections.
 */
import { execFileSync } from 'node:child_process';
import * as tls from 'node:tls';

/** The pid holding 127.0.0.1:`port`'s end of the connection from the client port `clientPort`. */
export function servedBy(port: number, clientPort: number): number | undefined {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} and dport = :${clientPort} )`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

export interface TlsHello {
  /** The session to offer next time (ID or ticket). */
  session?: Buffer;
  reused: boolean;
  /** The process that served the connection. */
  pid?: number;
}

/**
 * One implicit-TLS connection with node's TLS client: the handshake (offering `session`), the
 * greeting, who served it, then QUIT.
 */
export function tlsHello(port: number, opts: { session?: Buffer; tls12?: boolean } = {}): Promise<TlsHello> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    let text = '';
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      rejectUnauthorized: false,
      ...(opts.session ? { session: opts.session } : {}),
      ...(opts.tls12 ? { maxVersion: 'TLSv1.2' as const } : {}),
    });
    const timer = setTimeout(() => (s.destroy(), reject(new Error('no greeting'))), 15_000);
    s.on('session', (b: Buffer) => (session = b));
    s.on('error', (err) => (clearTimeout(timer), reject(err)));
    let greeted = false;
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (greeted || !/^220 /m.test(text)) return;
      greeted = true;
      clearTimeout(timer);
      const hello: TlsHello = { reused: s.isSessionReused(), pid: servedBy(port, s.localPort!) };
      s.end('QUIT\r\n');
      // A TLS 1.3 ticket may arrive after the greeting: wait for the close to have it.
      s.once('close', () => resolve({ ...hello, ...(session ? { session } : {}) }));
    });
  });
}
