/**
 * Hostile clients (issue 10): every line is read once, by the CommandReader, and a line the member
 * could read differently is refused locally. Real sockets, the scriptable mock member.
 */
import { Harness, until } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const BAD_VERB = '500 5.5.2 Error: bad command syntax\r\n';
const BAD_ARGS = '501 5.5.4 Error: control characters not allowed in command\r\n';
const OPT_OUT = { smtps: { name: '/Common/smtps', activationMode: 'allow' as const, allowPlaintextAuth: true } };

describe('verbs the member would read differently are refused, never relayed', () => {
  it.each(['allow', 'none'] as const)('%s: XCLIENT/XFORWARD with HTAB or a leading blank never reach the member', async (mode) => {
    const f = await h.start(mode, cert);
    const c = await f.connect();
    await c.reply();
    for (const line of ['XCLIENT\tADDR=6.6.6.6\tNAME=spoof.example', ' XCLIENT ADDR=6.6.6.6', 'xforward\taddr=6.6.6.6', '\tXFORWARD ADDR=6.6.6.6']) {
      expect(await c.cmd(line)).toBe(BAD_VERB);
    }
    expect(await c.cmd('xClient ADDR=6.6.6.6')).toBe('550 5.7.0 Error: insufficient authorization\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });

  it('after STARTTLS: EHLO<TAB> is refused (no unrewritten capabilities) and MAIL<TAB> before EHLO gets no 250', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('STARTTLS')).toMatch(/^220 /);
    await c.startTls(cert.cert);
    expect(await c.cmd('MAIL\tFROM:<a@b.test>')).toBe(BAD_VERB);
    expect(await c.cmd('EHLO\tname.test')).toBe(BAD_VERB);
    expect(await c.cmd('MAIL FROM:<a@b.test>')).toBe('503 5.5.1 Error: send HELO/EHLO first\r\n');
    const ehlo = await c.cmd('EHLO name.test');
    expect(ehlo).not.toMatch(/XCLIENT|CHUNKING|STARTTLS/);
    expect(f.backend.log()).not.toMatch(/\t/);
  });

  it('DATA<TAB> is refused: the session stays in command mode in step with the member', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    await c.cmd('MAIL FROM:<a@a.test>');
    await c.cmd('RCPT TO:<b@b.test>');
    expect(await c.cmd('DATA\t')).toBe(BAD_VERB);
    expect(await c.cmd('STARTTLS')).toMatch(/^220 /);
    expect(f.backend.log()).not.toContain('DATA');
  });

  it('NUL, VT, FF and other control octets: refused in the verb (500) and in the arguments (501)', async () => {
    const f = await h.start('none', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('DATA\0')).toBe(BAD_VERB);
    expect(await c.cmd('\x0bDATA')).toBe(BAD_VERB);
    expect(await c.cmd('RSET\x0cDATA')).toBe(BAD_VERB);
    expect(await c.cmd('MAIL FROM:<a@a.test>\0DATA')).toBe(BAD_ARGS);
    expect(await c.cmd('MAIL FROM:<a@a.test> \x1b[31m')).toBe(BAD_ARGS);
    expect(await c.cmd('D\xc1TA')).toBe(BAD_VERB);
    expect(await c.cmd('data')).toMatch(/^354 /);
    expect(f.backend.log()).toBe('data\r\n');
  });
});

describe('AUTH stays in step with the member (item 1)', () => {
  it('an over-long continuation cancels the exchange with "*": the next line is a command again', async () => {
    const f = await h.start('allow', cert, { replies: { AUTH: '334 VXNlcm5hbWU6\r\n', '*': '501 5.7.0 Authentication aborted\r\n' } }, OPT_OUT);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('AUTH LOGIN')).toBe('334 VXNlcm5hbWU6\r\n');
    expect(await c.cmd('A'.repeat(13000))).toBe('500 5.5.6 Authentication exchange line is too long\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('AUTH LOGIN\r\n*\r\nNOOP\r\n');
  });

  it('a continuation with a bare CR is never relayed (a lenient member could split it into a command)', async () => {
    const f = await h.start('allow', cert, { replies: { AUTH: '334 \r\n', '*': '501 5.7.0 Authentication aborted\r\n' } }, OPT_OUT);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('AUTH LOGIN')).toBe('334 \r\n');
    expect(await c.cmd('dXNlcg==\rMAIL FROM:<x@evil.test>')).toBe('501 5.5.4 Error: control characters not allowed in authentication exchange\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('AUTH LOGIN\r\n*\r\nNOOP\r\n');
  });
});

describe('BDAT (item 2)', () => {
  it('a chunk larger than any message is refused and the session closed, not waited for', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('BDAT 999999999999999')).toBe('552 5.3.4 Error: message size exceeds fixed limit\r\n');
    expect(await c.waitClosed()).toBe(true);
    expect(f.backend.log()).not.toContain('BDAT');
  });

  it('a chunk within the limit is still refused and its payload skipped', async () => {
    const f = await h.start('allow', cert);
    const c = await f.connect();
    await c.reply();
    c.send('BDAT 10 LAST\r\nNOOP\r\nRSET');
    expect(await c.reply()).toBe('502 5.5.1 Error: command not implemented\r\n');
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  });
});

describe('held input is never re-copied (item 3)', () => {
  it('30 KiB of over-long lines sent one octet per segment: octets copied stay linear in the input', async () => {
    const f = await h.start('none', cert, {}, {}, { session: { maxErrors: 1000 } });
    const c = await f.connect();
    await c.reply();
    (c.socket as import('node:net').Socket).setNoDelay(true);
    // Count every octet copied by Buffer.concat and Buffer#copy in this process while the
    // proxy reads: the old reader re-copied everything held on every chunk (quadratic).
    let copied = 0;
    const concat = Buffer.concat;
    const copy = Buffer.prototype.copy;
    const spyConcat = jest.spyOn(Buffer, 'concat').mockImplementation((list: readonly Uint8Array[], total?: number) => {
      const out = concat.call(Buffer, list, total);
      copied += out.length;
      return out;
    });
    const spyCopy = jest.spyOn(Buffer.prototype, 'copy').mockImplementation(function (this: Buffer, ...args: unknown[]) {
      const n = copy.apply(this, args as Parameters<Buffer['copy']>);
      copied += n;
      return n;
    });
    const input = Buffer.from(('NOOP ' + 'x'.repeat(2995) + '\r\n').repeat(10), 'latin1');
    try {
      for (let i = 0; i < input.length; i++) {
        c.send(input.subarray(i, i + 1));
        // Let the proxy read before the next octet, so it sees thousands of small chunks.
        if (i % 4 === 0) await new Promise((r) => setImmediate(r));
      }
      for (let i = 0; i < 10; i++) expect(await c.reply(10_000)).toBe('500 5.5.2 Error: line too long\r\n');
    } finally {
      spyConcat.mockRestore();
      spyCopy.mockRestore();
    }
    expect(copied).toBeLessThanOrEqual(4 * input.length);
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 Ok\r\n');
    expect(f.backend.log()).toBe('NOOP\r\n');
  }, 60_000);
});

describe('pipelining is bounded (item 4)', () => {
  it('13,000 pipelined NOOPs: at most maxInFlight reach the member before it answers; all are answered in order', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const f = await h.start('none', cert, { gates: { NOOP: gate } }, {}, { session: { maxInFlight: 50 } });
    const c = await f.connect();
    await c.reply();
    const n = 13_000;
    c.send('NOOP\n'.repeat(n));
    const noops = () => f.backend.log().split('NOOP').length - 1;
    expect(await until(() => noops() >= 50)).toBe(true);
    // Nothing more is read while the member owes 50 replies.
    expect(await c.silentFor(300)).toBe(true);
    expect(noops()).toBe(50);
    open();
    for (let i = 0; i < n; i++) expect(await c.reply()).toBe('250 2.0.0 Ok\r\n');
    expect(noops()).toBe(n);
  });
});

describe('early talkers (item 5)', () => {
  it('bytes before the greeting: 554 5.5.1 and close, nothing relayed, counted', async () => {
    const f = await h.start('allow', cert, { greeting: null });
    const c = await f.connect();
    c.send('EHLO early.test\r\nMAIL FROM:<a@a.test>\r\n');
    expect(await c.reply()).toBe('554 5.5.1 Error: SMTP protocol violation, client sent data before the greeting\r\n');
    expect(await c.waitClosed()).toBe(true);
    expect(f.backend.log()).toBe('');
    expect(f.listener.stats.earlyTalkers).toBe(1);
  });

  it.each(['allow', 'require', 'none'] as const)('%s: a TLS ClientHello before STARTTLS: 554 5.5.1 and close, never relayed', async (mode) => {
    const f = await h.start(mode, cert);
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('EHLO c')).toMatch(/^250/);
    c.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0a, 0x0d]));
    expect(await c.reply()).toBe('554 5.5.1 Error: TLS handshake before STARTTLS\r\n');
    expect(await c.waitClosed()).toBe(true);
    await until(() => f.backend.log().includes('QUIT'));
    expect(f.backend.log()).toBe('EHLO c\r\nQUIT\r\n');
    expect(f.listener.stats.earlyTalkers).toBe(1);
  });
});
