/** Require mode: smtp-starttls.md §5.4 (cases 31-37, 45) and the A9 downgrade transcript. */
import { Harness, until } from '../support/harness';
import { parseEhlo } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const R530 = '530 5.7.0 Must issue a STARTTLS command first\r\n';

describe('activation-mode require, before TLS', () => {
  it('MAIL gets 530 and is not forwarded [31]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe(R530);
    expect(f.backend.log()).toBe('');
    expect(f.listener.stats.refusedBeforeTls).toBe(1);
  });

  const matrix = [
    'RCPT TO:<b@b.test>', 'DATA', 'AUTH PLAIN AHUAcA==', 'VRFY postmaster', 'EXPN list', 'ETRN x.test', 'HELP',
    'FOO bar', 'XCLIENT ADDR=1.2.3.4', 'XFORWARD ADDR=1.2.3.4', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2', 'Subject: hi',
  ];
  it('every other verb, known or not, gets 530 and reaches nothing [32, 34]', async () => {
    const f = await h.start('require', cert, {}, {}, { session: { maxErrors: 20 } });
    const c = await f.connect();
    await c.reply();
    for (const line of matrix) expect(await c.cmd(line)).toBe(R530);
    expect(f.backend.log()).toBe('');
    expect(f.listener.stats.refusedBeforeTls).toBe(matrix.length);
  });

  it('NOOP, RSET, HELO, EHLO and QUIT are accepted [33]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(await c.cmd('RSET')).toBe('250 2.0.0 Ok\r\n');
    expect(await c.cmd('HELO c')).toBe('250 mx.backend.test\r\n');
    expect(parseEhlo(await c.cmd('EHLO c')).keywords).toContain('STARTTLS');
    expect(await c.cmd('QUIT')).toBe('221 2.0.0 Bye\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
    expect(await until(() => f.backend.connections[0].destroyed)).toBe(true);
  });

  it('BDAT gets 530 and its payload is skipped, so a QUIT inside it never runs [35]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    c.send('BDAT 6 LAST\r\nQUIT\r\n');
    expect(await c.reply()).toBe(R530);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });

  it('after TLS a whole transaction is relayed [36]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    await c.upgrade(cert.cert);
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(await c.cmd('RCPT TO:<b@b.test>')).toBe('250 2.1.5 Ok\r\n');
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    expect(await c.cmd('Subject: x\r\n\r\nhello\r\n.')).toBe('250 2.0.0 Ok: queued as MOCK1\r\n');
    expect(f.listener.stats.messages).toBe(1);
  });

  it('ten refusals, then 421 too many errors and close [37]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    for (let i = 0; i < 10; i++) expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe(R530);
    expect(await c.cmd('MAIL FROM:<a@a.test>')).toBe('421 4.7.0 proxy.test Error: too many errors\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
  });

  it('a local 530 between pipelined commands keeps its place [45]', async () => {
    const f = await h.start('require', cert, { delays: { NOOP: 100 } });
    const c = await f.connect();
    await c.reply();
    c.send('NOOP\r\nMAIL FROM:<a@a.test>\r\nNOOP\r\n');
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(await c.reply()).toBe(R530);
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\nNOOP\r\n');
  });
});
