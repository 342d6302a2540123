/**
 * Session tickets across workers: each worker builds its own TLS contexts from the same spec, so
 * a ticket one worker issued resumes on another only because both were handed the same ticket
 * keys. Two listeners stand for two workers; real TLS clients (node's tls) over real sockets.
 */
import { randomBytes } from 'node:crypto';
import * as tls from 'node:tls';
import { Harness, virtualSpec } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';

const h = new Harness();
let cert: TestCert;

beforeAll(() => {
  cert = makeCert();
});
afterEach(() => h.stop());

/** One implicit-TLS connection: waits for the greeting and, on a full handshake, the ticket. */
function connect(port: number, session?: Buffer): Promise<{ reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    let greeted = false;
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'proxy.test', ...(session ? { session } : {}) });
    const finish = () => {
      // A resumed TLS 1.3 connection may bring no new ticket: the greeting is enough then.
      if (!greeted || (!ticket && !sock.isSessionReused())) return;
      const reused = sock.isSessionReused();
      sock.end('QUIT\r\n');
      resolve({ reused, session: ticket });
    };
    sock.on('session', (s: Buffer) => {
      ticket = s;
      finish();
    });
    sock.on('data', (d: Buffer) => {
      if (/^220 /m.test(d.toString())) greeted = true;
      finish();
    });
    sock.on('error', reject);
  });
}

async function worker(keys: Buffer): Promise<number> {
  const spec = virtualSpec('implicit', cert, { clientSsl: { ...virtualSpec('implicit', cert).clientSsl!, sessionTicket: true, cacheSize: 0 } });
  const backend = await h.backend();
  const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: backend.port }], { ticketKeys: keys });
  return port;
}

describe('ticket keys supplied to the data plane', () => {
  it('a ticket issued by one worker resumes on another worker with the same keys', async () => {
    const keys = randomBytes(48);
    const a = await worker(keys);
    const b = await worker(keys);
    const first = await connect(a);
    expect(first.reused).toBe(false);
    expect((await connect(b, first.session)).reused).toBe(true);
  });

  it('does not resume on a worker with other keys (the keys, not luck, make it work)', async () => {
    const a = await worker(randomBytes(48));
    const b = await worker(randomBytes(48));
    const first = await connect(a);
    expect((await connect(b, first.session)).reused).toBe(false);
  });

  it('after setTicketKeys on every worker, old tickets are refused and new ones resume everywhere', async () => {
    const keys = randomBytes(48);
    const spec = virtualSpec('implicit', cert, { clientSsl: { ...virtualSpec('implicit', cert).clientSsl!, sessionTicket: true, cacheSize: 0 } });
    const backend = await h.backend();
    const wa = await h.proxy(spec, [{ address: '127.0.0.1', port: backend.port }], { ticketKeys: keys });
    const wb = await h.proxy(spec, [{ address: '127.0.0.1', port: backend.port }], { ticketKeys: keys });
    const old = await connect(wa.port);
    const next = randomBytes(48);
    wa.listener.setTicketKeys(next);
    wb.listener.setTicketKeys(next);
    expect((await connect(wb.port, old.session)).reused).toBe(false);
    const fresh = await connect(wa.port);
    expect((await connect(wb.port, fresh.session)).reused).toBe(true);
  });
});
