/** Backend failures, timeouts and load balancing: smtp-starttls.md §5.8 (cases 60-68). */
import * as net from 'node:net';
import { Harness, until, virtualSpec } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

/** A port nobody listens on (B4). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A mock-backend gate that lets the first `n` replies to a verb through and holds every later one for ever. */
function holdAfter(n: number): Promise<void> {
  let seen = 0;
  const never = new Promise<void>(() => undefined);
  // The backend awaits the gate once per command: a thenable tells the commands apart.
  return { then: (resolve: () => void) => (++seen <= n ? resolve() : never.then(resolve)) } as unknown as Promise<void>;
}

describe('backend failures', () => {
  it('only member down: 421 4.3.2 and close; the failure is reported to the selector [60]', async () => {
    const { port, selector } = await h.proxy(virtualSpec('allow', cert), [{ address: '127.0.0.1', port: await closedPort() }]);
    const c = await h.client(port);
    expect(await c.reply()).toBe('421 4.3.2 proxy.test Service not available, closing transmission channel\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
    expect(selector.failures).toHaveLength(1);
    expect(selector.released).toBe(selector.acquired);
  });

  it('no pool configured: 421 4.3.2', async () => {
    const { port } = await h.proxy(virtualSpec('allow', cert, { pool: undefined }), []);
    const c = await h.client(port);
    expect(await c.reply()).toMatch(/^421 4\.3\.2 /);
  });

  it('first member down, second up: the client gets the second one\'s greeting [61]', async () => {
    const b = await h.backend();
    const { port } = await h.proxy(virtualSpec('allow', cert), [{ address: '127.0.0.1', port: await closedPort() }, { address: '127.0.0.1', port: b.port }]);
    const c = await h.client(port);
    expect(await c.reply()).toBe('220 mx.backend.test ESMTP mock\r\n');
  });

  it('a member that never greets: 421 4.4.1 after the greeting timeout [62]', async () => {
    const f = await h.start('allow', cert, { greeting: null });
    const c = await f.connect();
    expect(await c.reply(2000)).toBe('421 4.4.1 proxy.test Error: no answer from backend\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
  });

  it('a 554 greeting is relayed; QUIT gets the member\'s 221 and the session ends [63]', async () => {
    const f = await h.start('allow', cert, { greeting: '554 5.7.1 no service\r\n' });
    const c = await f.connect();
    expect(await c.reply()).toBe('554 5.7.1 no service\r\n');
    expect(await c.cmd('QUIT')).toBe('221 2.0.0 Bye\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
  });

  it.each([false, true])('member lost mid-session: 421 4.4.2 (over TLS: %s) and close [64]', async (overTls) => {
    const f = await h.start('allow', cert, { closeAfter: 'MAIL' });
    const c = await f.connect();
    await c.reply();
    if (overTls) {
      await c.cmd('STARTTLS');
      await c.startTls(cert.cert);
      await c.cmd('EHLO c');
    }
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(await c.reply()).toBe('421 4.4.2 proxy.test Error: backend connection lost\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
  });

  it.each([false, true])('member lost before any command reached it (after STARTTLS: %s): another member takes over, its greeting swallowed', async (afterTls) => {
    const b1 = await h.backend();
    const b2 = await h.backend();
    const { port, selector } = await h.proxy(virtualSpec('allow', cert), [{ address: '127.0.0.1', port: b1.port }, { address: '127.0.0.1', port: b2.port }]);
    const c = await h.client(port);
    expect(await c.reply()).toMatch(/^220 /);
    if (afterTls) {
      expect(await c.cmd('EHLO c')).toMatch(/^250/);
      await c.cmd('STARTTLS');
      await c.startTls(cert.cert);
    }
    // The member goes away (killed) while the client is still to send its (next) EHLO.
    b1.connections[0].destroy();
    expect(await until(() => b2.connections.length === 1)).toBe(true);
    expect(await c.cmd('EHLO c')).toMatch(/^250[ -]/);
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(b2.log()).toBe('EHLO c\r\nMAIL FROM:<a@a.test>\r\n');
    // No second greeting reached the client, and the session goes on.
    expect(c.pending()).toBe('');
    expect(selector.acquired).toBe(2);
  });

  it('require mode: a member lost after the plaintext EHLO is replaced; after TLS the client greets the new member', async () => {
    const b1 = await h.backend();
    const b2 = await h.backend();
    const { port } = await h.proxy(virtualSpec('require', cert), [{ address: '127.0.0.1', port: b1.port }, { address: '127.0.0.1', port: b2.port }]);
    const c = await h.client(port);
    await c.reply();
    expect(await c.cmd('EHLO c')).toMatch(/^250/);
    b1.connections[0].destroy();
    expect(await until(() => b2.connections.length === 1)).toBe(true);
    expect(await c.cmd('STARTTLS')).toMatch(/^220 /);
    await c.startTls(cert.cert);
    expect(await c.cmd('EHLO c')).toMatch(/^250[ -]/);
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(b2.log()).toBe('EHLO c\r\nMAIL FROM:<a@a.test>\r\n');
  });

  it.each([false, true])('member lost while the client\'s first EHLO awaits its answer (after STARTTLS: %s): the EHLO goes to another member, whose answer the client gets', async (afterTls) => {
    // b1 answers the pre-TLS EHLO but never the one after TLS (or, without TLS, never the first).
    const b1 = await h.backend({ gates: { EHLO: holdAfter(afterTls ? 1 : 0) } });
    const b2 = await h.backend();
    const { port } = await h.proxy(virtualSpec('allow', cert), [{ address: '127.0.0.1', port: b1.port }, { address: '127.0.0.1', port: b2.port }]);
    const c = await h.client(port);
    await c.reply();
    if (afterTls) {
      expect(await c.cmd('EHLO c')).toMatch(/^250/);
      await c.cmd('STARTTLS');
      await c.startTls(cert.cert);
    }
    c.send('EHLO again\r\n');
    expect(await until(() => (b1.log().match(/EHLO/g) ?? []).length === (afterTls ? 2 : 1))).toBe(true);
    b1.connections[0].destroy();
    expect(await c.reply()).toMatch(/^250[ -]/);
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(b2.log()).toBe('EHLO again\r\nMAIL FROM:<a@a.test>\r\n');
    expect(c.pending()).toBe('');
  });

  it('member lost after a command reached it: 421 4.4.2 even with another member up (the session is bound to it)', async () => {
    const b1 = await h.backend();
    const b2 = await h.backend();
    const { port } = await h.proxy(virtualSpec('allow', cert), [{ address: '127.0.0.1', port: b1.port }, { address: '127.0.0.1', port: b2.port }]);
    const c = await h.client(port);
    await c.reply();
    expect(await c.cmd('EHLO c')).toMatch(/^250/);
    b1.connections[0].destroy();
    expect(await c.reply()).toBe('421 4.4.2 proxy.test Error: backend connection lost\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
    expect(b2.connections).toHaveLength(0);
  });

  it('a 421 from the member is relayed byte for byte, then the client is closed [65]', async () => {
    const f = await h.start('allow', cert, { replies: { RCPT: '421 4.3.0 shutting down\r\n' }, closeAfter: 'RCPT' });
    const c = await f.connect();
    await c.reply();
    await c.cmd('MAIL FROM:<a@a.test>');
    expect(await c.cmd('RCPT TO:<b@b.test>')).toBe('421 4.3.0 shutting down\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
    expect(c.pending()).toBe('');
  });
});

describe('timeouts and aborts', () => {
  it('idle client: 421 4.4.2 timeout, the member gets QUIT [66]', async () => {
    const f = await h.start('allow', cert, {}, { idleTimeout: 0.3 });
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.reply(2000)).toBe('421 4.4.2 proxy.test Error: timeout exceeded\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
    expect(await until(() => f.backend.log().endsWith('QUIT\r\n'))).toBe(true);
  });

  it('client reset mid-DATA: the member connection closes, the gauge returns to 0, no QUIT as content [67]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('MAIL FROM:<a@a.test>');
    await c.cmd('RCPT TO:<b@b.test>');
    await c.cmd('DATA');
    c.send('partial body\r\n');
    await until(() => f.backend.log().includes('partial body'));
    expect(f.listener.stats.clientCurConns).toBe(1);
    c.raw.resetAndDestroy();
    expect(await until(() => f.backend.connections[0].destroyed, 1000)).toBe(true);
    expect(await until(() => f.listener.stats.clientCurConns === 0)).toBe(true);
    expect(f.backend.log()).not.toContain('QUIT');
    expect(f.selector.released).toBe(f.selector.acquired);
  });
});

describe('load balancing and member statistics', () => {
  it('round robin over two members: 4 sessions, 2 each; bytes counted per member [68]', async () => {
    const b1 = await h.backend();
    const b2 = await h.backend();
    const { port, selector, listener } = await h.proxy(virtualSpec('allow', cert), [{ address: '127.0.0.1', port: b1.port }, { address: '127.0.0.1', port: b2.port }]);
    for (let i = 0; i < 4; i++) {
      const c = await h.client(port);
      await c.reply();
      await c.cmd('NOOP');
      await c.cmd('QUIT');
      await c.waitClosed(1000);
    }
    expect(b1.connections).toHaveLength(2);
    expect(b2.connections).toHaveLength(2);
    const stats = [...selector.stats.values()];
    expect(stats.map((s) => s.bytesOut)).toEqual([2 * 'NOOP\r\nQUIT\r\n'.length, 2 * 'NOOP\r\nQUIT\r\n'.length]);
    expect(stats.every((s) => s.bytesIn > 0)).toBe(true);
    expect(listener.stats.clientTotConns).toBe(4);
    expect(await until(() => selector.released === 4)).toBe(true);
  });
});

describe('faults stay inside their session', () => {
  it('an exception while handling one session closes that session only', async () => {
    const b1 = await h.backend();
    const b2 = await h.backend();
    const { port, selector, listener } = await h.proxy(virtualSpec('allow', cert), [{ address: '127.0.0.1', port: b1.port }, { address: '127.0.0.1', port: b2.port }]);
    const healthy = await h.client(port);
    await healthy.reply();
    const faulty = await h.client(port);
    await faulty.reply();
    // Sabotage the second member's counters: the next byte forwarded to it throws.
    const stats = selector.stats.get(`/Common/127.0.0.1:${b2.port}`)!;
    Object.defineProperty(stats, 'bytesOut', { get: () => 0, set: () => { throw new Error('injected fault'); } });
    faulty.send('NOOP\r\n');
    expect(await faulty.waitClosed(1000)).toBe(true);
    expect(await healthy.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(await until(() => listener.activeSessions === 1)).toBe(true);
  });
});
