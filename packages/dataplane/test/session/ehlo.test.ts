/** Greeting and EHLO rewriting: smtp-starttls.md §5.1 (cases 1-11). */
import { Harness } from '../support/harness';
import { parseEhlo } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

describe('greeting', () => {
  it.each(['allow', 'require', 'none', 'plain'] as const)('relays the backend greeting byte for byte (%s) [1]', async (mode) => {
    const f = await h.start(mode, cert);
    const c = await f.connect();
    expect(await c.reply()).toBe('220 mx.backend.test ESMTP mock\r\n');
  });

  it('relays a multi-line greeting unchanged [2]', async () => {
    const f = await h.start('allow', cert, { greeting: '220-mx.backend.test hi\r\n220 ready\r\n' });
    const c = await f.connect();
    expect(await c.reply()).toBe('220-mx.backend.test hi\r\n220 ready\r\n');
  });
});

describe('EHLO rewriting', () => {
  it('allow: adds STARTTLS once, removes XCLIENT/CHUNKING, the backend STARTTLS and (before TLS) AUTH, keeps order [3,4, issue 19]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    const e = parseEhlo(await c.cmd('EHLO client.test'));
    expect(f.backend.log()).toBe('EHLO client.test\r\n');
    expect(e.valid).toBe(true);
    expect(e.domainLine).toBe('mx.backend.test');
    expect(e.keywords).toEqual(['PIPELINING', 'SIZE', 'ENHANCEDSTATUSCODES', '8BITMIME', 'SMTPUTF8', 'STARTTLS']);
    expect(e.lines).toContain('SIZE 10240000');
    expect(f.listener.stats.starttlsOffered).toBe(1);
  });

  it('require: STARTTLS once, no AUTH, no XCLIENT [5]', async () => {
    const f = await h.start('require', cert);
    const c = await f.connect();
    await c.reply();
    const e = parseEhlo(await c.cmd('EHLO client.test'));
    expect(e.valid).toBe(true);
    expect(e.keywords.filter((k) => k === 'STARTTLS')).toHaveLength(1);
    expect(e.keywords).not.toContain('AUTH');
    expect(e.keywords).not.toContain('XCLIENT');
  });

  it.each(['none', 'plain'] as const)('%s: no STARTTLS at all, AUTH kept, order kept [6]', async (mode) => {
    const f = await h.start(mode, cert);
    const c = await f.connect();
    await c.reply();
    const e = parseEhlo(await c.cmd('EHLO client.test'));
    expect(e.valid).toBe(true);
    expect(e.keywords).toEqual(['PIPELINING', 'SIZE', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME', 'SMTPUTF8']);
    expect(f.listener.stats.starttlsOffered).toBe(0);
  });

  it.each(['allow', 'require'] as const)('%s after TLS: no STARTTLS, AUTH present, no XCLIENT [7]', async (mode) => {
    const f = await h.start(mode, cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO client.test');
    expect(await c.cmd('STARTTLS')).toBe('220 2.0.0 Ready to start TLS\r\n');
    await c.startTls(cert.cert);
    const e = parseEhlo(await c.cmd('EHLO client.test'));
    expect(e.valid).toBe(true);
    expect(e.keywords).not.toContain('STARTTLS');
    expect(e.keywords).toContain('AUTH');
    expect(e.keywords).not.toContain('XCLIENT');
  });

  it('keywords the member separates with HTAB are filtered as a client would read them', async () => {
    const ehlo = '250-mx.backend.test\r\n250-AUTH\tPLAIN LOGIN\r\n250-xclient\tNAME ADDR\r\n250-STARTTLS\t\r\n250 8BITMIME\r\n';
    const f = await h.start('allow', cert, { ehlo });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('EHLO c')).toBe('250-mx.backend.test\r\n250-8BITMIME\r\n250 STARTTLS\r\n');
  });

  it('keywords are read as Postfix\'s client reads them (blanks before, SP/HTAB/= after): indented or AUTH=LOGIN, filtered', async () => {
    const ehlo = '250-mx.backend.test\r\n250- AUTH PLAIN LOGIN\r\n250-AUTH=LOGIN PLAIN\r\n250-\tXCLIENT NAME ADDR\r\n250-  STARTTLS\r\n250-CHUNKING=yes\r\n250 8BITMIME\r\n';
    const f = await h.start('allow', cert, { ehlo });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('EHLO c')).toBe('250-mx.backend.test\r\n250-8BITMIME\r\n250 STARTTLS\r\n');
  });

  it('single-line backend reply gains STARTTLS with valid framing [8]', async () => {
    const f = await h.start('allow', cert, { ehlo: '250 mx.backend.test\r\n' });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('EHLO c')).toBe('250-mx.backend.test\r\n250 STARTTLS\r\n');
  });

  it('a rejected EHLO is relayed unchanged, nothing added [9]', async () => {
    const f = await h.start('allow', cert, { ehlo: '550 5.7.1 go away\r\n' });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('EHLO c')).toBe('550 5.7.1 go away\r\n');
  });

  it('HELO is forwarded and relayed unchanged [10]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('HELO client.test')).toBe('250 mx.backend.test\r\n');
    expect(f.backend.log()).toBe('HELO client.test\r\n');
  });

  it('keywords match case-insensitively on the whole first token [11]', async () => {
    const f = await h.start('allow', cert, { ehlo: '250-mx.backend.test\r\n250-starttls\r\n250-STARTTLSX\r\n250-xforward NAME\r\n250-binarymime\r\n250 8BITMIME\r\n' });
    const c = await f.connect();
    await c.reply();
    const e = parseEhlo(await c.cmd('EHLO c'));
    expect(e.keywords).toEqual(['STARTTLSX', '8BITMIME', 'STARTTLS']);
  });
});
