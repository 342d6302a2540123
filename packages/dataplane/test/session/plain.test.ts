/** Allow and none/plain sessions, XCLIENT/PROXY blocking, QUIT: smtp-starttls.md §5.5, §5.9, §5.10. */
import { Harness } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const transcript = [
  ['EHLO c', null],
  ['MAIL FROM:<a@a.test>', '250 2.1.0 Ok\r\n'],
  ['RCPT TO:<b@b.test>', '250 2.1.5 Ok\r\n'],
  ['DATA', '354 End data with <CR><LF>.<CR><LF>\r\n'],
  ['Subject: x\r\n\r\nhello\r\n.', '250 2.0.0 Ok: queued as MOCK1\r\n'],
] as const;

describe('plaintext sessions', () => {
  it.each(['allow', 'none', 'plain'] as const)('%s: a whole session relays byte for byte [38, 40]', async (mode) => {
    const f = await h.start(mode, cert);
    const c = await f.connect();
    await c.reply();
    for (const [line, reply] of transcript) {
      const got = await c.cmd(line);
      if (reply) expect(got).toBe(reply);
    }
    if (mode !== 'allow') expect(await c.cmd('STARTTLS')).toMatch(/^502 5\.5\.1 /);
    expect(await c.cmd('QUIT')).toBe('221 2.0.0 Bye\r\n');
    expect(await c.waitClosed(1000)).toBe(true);
    expect(f.backend.log()).toBe(
      'EHLO c\r\nMAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\nSubject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n',
    );
    expect(f.listener.stats.messages).toBe(1);
  });

  it('allow: AUTH before TLS gets 538 locally and never reaches the backend (decision 5 revised) [39]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('AUTH PLAIN AHUAcA==')).toBe('538 5.7.11 Encryption required for requested authentication mechanism\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
    expect(f.listener.stats.authRefusedBeforeTls).toBe(1);
  });

  it('AUTH continuation lines after 334 are relayed as data, not commands', async () => {
    const f = await h.start('allow', cert, { replies: { AUTH: '334 \r\n', STARTTLS: '235 2.7.0 Authentication successful\r\n' } }, { smtps: { name: '/Common/smtps', activationMode: 'allow', allowPlaintextAuth: true } });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('AUTH LOGIN')).toBe('334 \r\n');
    // The continuation happens to read like a command; it must go to the backend unexamined.
    expect(await c.cmd('STARTTLS')).toBe('235 2.7.0 Authentication successful\r\n');
    expect(f.backend.log()).toBe('AUTH LOGIN\r\nSTARTTLS\r\n');
  });

  it('MAIL parameters pass byte-identical and a 552 is relayed unchanged [59]', async () => {
    const f = await h.start('allow', cert, { replies: { MAIL: '552 5.3.4 Message size exceeds fixed limit\r\n' } });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('MAIL FROM:<a@a.test> SIZE=99999999 BODY=8BITMIME SMTPUTF8')).toBe('552 5.3.4 Message size exceeds fixed limit\r\n');
    expect(f.backend.log()).toBe('MAIL FROM:<a@a.test> SIZE=99999999 BODY=8BITMIME SMTPUTF8\r\n');
  });
});

describe('client address spoofing', () => {
  it('XCLIENT and XFORWARD get 550 before and after TLS, never forwarded [74]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    const R550 = '550 5.7.0 Error: insufficient authorization\r\n';
    expect(await c.cmd('XCLIENT ADDR=10.9.9.9')).toBe(R550);
    expect(await c.cmd('XFORWARD ADDR=10.9.9.9')).toBe(R550);
    await c.cmd('STARTTLS');
    await c.startTls(cert.cert);
    await c.cmd('EHLO c');
    expect(await c.cmd('XCLIENT ADDR=10.9.9.9')).toBe(R550);
    expect(await c.cmd('xforward ADDR=10.9.9.9')).toBe(R550);
    expect(f.backend.log()).not.toMatch(/XCLIENT|XFORWARD/i);
  });

  it('a PROXY line from a client is refused after TLS [75]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('STARTTLS');
    await c.startTls(cert.cert);
    expect(await c.cmd('PROXY TCP4 1.1.1.1 2.2.2.2 1 2')).toBe('500 5.5.2 Error: command not recognized\r\n');
    expect(f.backend.log()).not.toContain('PROXY');
  });

  it('a command with a bare CR inside is refused, so it cannot split into two on a lax backend', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('NOOP\rXCLIENT ADDR=10.9.9.9')).toBe('500 5.5.2 Error: bare <CR> received\r\n');
    expect(f.backend.log()).toBe('');
  });

  it('a bare-LF command line reaches the backend with CRLF', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    c.send('NOOP\n');
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });
});

describe('session end', () => {
  it('QUIT over TLS: 221 relayed, then close_notify and close [77]', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('STARTTLS');
    const s = await c.startTls(cert.cert);
    const ended = new Promise<void>((resolve) => s.once('end', () => resolve()));
    expect(await c.cmd('QUIT')).toBe('221 2.0.0 Bye\r\n');
    await ended; // 'end' on a TLS socket follows the peer's close_notify
    expect(await c.waitClosed(1000)).toBe(true);
  });
});

describe('line ends', () => {
  it('extra CRs before the LF are taken as part of the line end (openssl s_client -crlf style)', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    c.send('NOOP\r\r\n');
    expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });
});
