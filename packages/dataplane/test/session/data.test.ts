/** Framing, pipelining, DATA and BDAT: smtp-starttls.md §5.6-5.7 (cases 41-58). */
import { Harness, until } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';
import type { TestClient } from '../support/smtp-client';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const R500LONG = '500 5.5.2 Error: line too long\r\n';

/** A plaintext allow-mode session that is ready for a message (MAIL and RCPT done). */
async function inTransaction(c: TestClient): Promise<void> {
  await c.reply();
  await c.cmd('EHLO c');
  await c.cmd('MAIL FROM:<a@a.test>');
  await c.cmd('RCPT TO:<b@b.test>');
  expect(await c.cmd('DATA')).toMatch(/^354 /);
}
const PREFIX = 'EHLO c\r\nMAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n';

describe('command line framing', () => {
  it('a 2048-octet line (CRLF included) is forwarded [41]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    const line = 'NOOP ' + 'x'.repeat(2048 - 5 - 2);
    expect(await c.cmd(line)).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe(line + '\r\n');
  });

  it('a 2049-octet line gets 500, is dropped to its LF, and the session goes on [42]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('NOOP ' + 'y'.repeat(2049 - 5 - 2))).toBe(R500LONG);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });

  it('10 MiB without a LF: exactly one 500, then commands work again [43]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    const mib = Buffer.alloc(1024 * 1024, 0x41);
    for (let i = 0; i < 10; i++) c.send(mib);
    c.send('\r\nNOOP\r\n');
    expect(await c.reply(5000)).toBe(R500LONG);
    expect(await c.reply(5000)).toBe('250 2.0.0 Ok\r\n');
    expect(c.pending()).toBe('');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });

  it('pipelined commands after TLS reach the backend in order and replies come back in order [44]', async () => {
    const f = await h.start('allow', cert, { delays: { MAIL: 50 } });
    const c = await f.connect();
    await c.reply();
    await c.cmd('STARTTLS');
    await c.startTls(cert.cert);
    await c.cmd('EHLO c');
    c.send('MAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nRCPT TO:<c@c.test>\r\nDATA\r\n');
    expect(await c.reply()).toBe('250 2.1.0 Ok\r\n');
    expect(await c.reply()).toBe('250 2.1.5 Ok\r\n');
    expect(await c.reply()).toBe('250 2.1.5 Ok\r\n');
    expect(await c.reply()).toMatch(/^354 /);
    expect(f.backend.log()).toBe('EHLO c\r\nMAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nRCPT TO:<c@c.test>\r\nDATA\r\n');
  });

  it('multi-line and text-less backend replies are relayed unchanged [46, 47]', async () => {
    const f = await h.start('allow', cert, { replies: { HELP: '214-a\r\n214-b\r\n214 c\r\n', NOOP: '250\r\n' } });
    const c = await f.connect();
    await c.reply();
    await c.cmd('STARTTLS');
    await c.startTls(cert.cert);
    expect(await c.cmd('HELP')).toBe('214-a\r\n214-b\r\n214 c\r\n');
    expect(await c.cmd('NOOP')).toBe('250\r\n');
    expect(await c.cmd('RSET')).toBe('250 2.0.0 Ok\r\n');
  });
});

describe('DATA content', () => {
  it('leading dots are not unstuffed [48]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    expect(await c.cmd('..leading dot\r\n.')).toMatch(/^250 2\.0\.0 /);
    expect(f.backend.log()).toBe(PREFIX + '..leading dot\r\n.\r\n');
  });

  it('command-looking content is content: no local reply, no TLS switch [49]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    const body = 'STARTTLS\r\nXCLIENT ADDR=1.2.3.4\r\nQUIT\r\nEHLO x\r\n.\r\n';
    c.send(body);
    expect(await c.reply()).toBe('250 2.0.0 Ok: queued as MOCK1\r\n');
    expect(await c.silentFor(100)).toBe(true);
    expect(f.backend.log()).toBe(PREFIX + body);
    expect(f.listener.stats.pipelinedDiscarded).toBe(0);
  });

  it('an empty message ends at the first "." line; the next line is a command again [50]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    expect(await c.cmd('.')).toMatch(/^250 /);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
  });

  it('end of data split over three writes is found [51]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    for (const part of ['body', '\r\n', '.', '\r\n']) {
      c.send(part);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await c.reply()).toMatch(/^250 /);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe(PREFIX + 'body\r\n.\r\nNOOP\r\n');
  });

  it('8-bit bytes, NUL and a 1100-octet line pass byte for byte [52]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    const body = Buffer.concat([high, Buffer.from([0]), Buffer.from('\r\n' + 'z'.repeat(1100) + '\r\n.\r\n')]);
    c.send(body);
    expect(await c.reply()).toMatch(/^250 /);
    expect(Buffer.compare(f.backend.received[0], Buffer.concat([Buffer.from(PREFIX), body]))).toBe(0);
  });

  it('a message and pipelined commands after it in one write [RFC 2920]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    c.send('hi\r\n.\r\nRSET\r\nNOOP\r\n');
    expect(await c.reply()).toMatch(/^250 2\.0\.0 Ok: queued/);
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
  });

  it('a rejected DATA leaves the following bytes as commands', async () => {
    const f = await h.start('allow', cert, { replies: { DATA: '554 5.5.1 Error: no valid recipients\r\n' } });
    const c = await f.connect();
    await c.reply();
    c.send('DATA\r\nNOOP\r\n');
    expect(await c.reply()).toBe('554 5.5.1 Error: no valid recipients\r\n');
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
  });
});

describe('SMTP smuggling', () => {
  const smuggled = 'a\n.\nMAIL FROM:<s@x>\r\nb\r\n.\r\n';

  it('guard off: bare-LF look-alikes pass through and only CRLF.CRLF ends the message [53]', async () => {
    const f = await h.start('allow', cert, {}, {}, { session: { smugglingGuard: false } });
    const c = await f.connect();
    await inTransaction(c);
    c.send(smuggled);
    expect(await c.reply()).toMatch(/^250 2\.0\.0 Ok: queued/);
    expect(await c.silentFor(100)).toBe(true);
    expect(f.backend.log()).toBe(PREFIX + smuggled);
  });

  it.each([
    ['LF.LF', 'a\n.\nMAIL FROM:<s@x>\r\n.\r\n'],
    ['CRLF.LF', 'a\r\n.\nMAIL FROM:<s@x>\r\n.\r\n'],
    ['LF.CRLF', 'a\n.\r\nMAIL FROM:<s@x>\r\n.\r\n'],
    ['CR.CR', 'a\r.\rMAIL FROM:<s@x>\r\n.\r\n'],
  ])('guard on (default): %s is rejected with 554, never forwarded, session closed [54]', async (_name, body) => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    c.send(body);
    expect(await c.reply()).toMatch(/^554 5\.7\.0 proxy\.test /);
    expect(await c.waitClosed(1000)).toBe(true);
    expect(await until(() => f.backend.connections[0].destroyed)).toBe(true);
    // The backend got the content up to the look-alike's dot, then lost the connection.
    expect(f.backend.log()).toBe(PREFIX + body.slice(0, body.indexOf('.')));
    expect(f.listener.stats.smugglingBlocked).toBe(1);
    expect(f.listener.stats.messages).toBe(0);
  });
});

describe('BDAT (CHUNKING not offered, decision 6)', () => {
  it('BDAT is refused and its payload skipped, so the proxy stays in step [55, 57]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    c.send('BDAT 12 LAST\r\nX\r\n.\r\nQUIT\r\n');
    expect(await c.reply()).toBe('502 5.5.1 Error: command not implemented\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });

  it('pipelined BDAT chunks are each refused and skipped [56]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    c.send('BDAT 5\r\nhelloBDAT 3 LAST\r\nabcNOOP\r\n');
    expect(await c.reply()).toMatch(/^502 /);
    expect(await c.reply()).toMatch(/^502 /);
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });

  it('a BDAT without a valid size gets 521 and the connection closes [58]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('BDAT x LAST')).toBe('521 5.5.4 Syntax: BDAT count [LAST]\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
  });
});

describe('half-closed clients', () => {
  it('a fully pipelined session followed by FIN is completed, not cut short', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    c.send('EHLO c\r\nMAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n');
    c.raw.end();
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push((await c.reply()).slice(0, 3));
    expect(replies).toEqual(['250', '250', '250', '354', '250', '221']);
    expect(f.listener.stats.messages).toBe(1);
  });

  it('FIN in the middle of a message aborts it: the member never gets the end of data', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await inTransaction(c);
    c.send('half a message\r\n');
    c.raw.end();
    expect(await until(() => f.backend.connections[0].destroyed)).toBe(true);
    expect(f.backend.log()).toBe(PREFIX + 'half a message\r\n');
    expect(f.listener.stats.messages).toBe(0);
  });
});
