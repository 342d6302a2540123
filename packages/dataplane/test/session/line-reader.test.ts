/** LineReader: RFC 5321 limits with bounded memory. */
import { LineReader, type LineEvent } from '../../src/session/line-reader';

const reader = () => new LineReader({ maxLine: 2048, maxAuthLine: 12288 });
function drain(r: LineReader): Array<string> {
  const out: string[] = [];
  let ev: LineEvent | undefined;
  while ((ev = r.next())) out.push(ev.type === 'line' ? ev.line.toString('latin1') : '<too-long>');
  return out;
}

describe('LineReader', () => {
  it('splits lines across chunks and keeps CRLF', () => {
    const r = reader();
    r.feed(Buffer.from('NO'));
    expect(drain(r)).toEqual([]);
    r.feed(Buffer.from('OP\r\nRSET\r\nQU'));
    expect(drain(r)).toEqual(['NOOP\r\n', 'RSET\r\n']);
    r.feed(Buffer.from('IT\r\n'));
    expect(drain(r)).toEqual(['QUIT\r\n']);
  });

  it('a stream without LF is reported once and never buffered beyond the limit', () => {
    const r = reader();
    const out: string[] = [];
    for (let i = 0; i < 1000; i++) {
      r.feed(Buffer.alloc(10 * 1024, 0x41));
      out.push(...drain(r));
      expect(r.buffered).toBeLessThanOrEqual(2048 + 10 * 1024);
    }
    r.feed(Buffer.from('tail\r\nNOOP\r\n'));
    out.push(...drain(r));
    expect(out).toEqual(['<too-long>', 'NOOP\r\n']);
  });

  it('AUTH lines and AUTH continuations may reach 12288 octets', () => {
    const r = reader();
    const auth = 'auth XOAUTH2 ' + 'q'.repeat(12288 - 15) + '\r\n';
    r.feed(Buffer.from(auth));
    expect(drain(r)).toEqual([auth]);
    r.authContinuation = true;
    const cont = 'c'.repeat(5000) + '\r\n';
    r.feed(Buffer.from(cont + 'd'.repeat(5000) + '\r\n'));
    expect(drain(r)).toEqual([cont, '<too-long>']);
  });

  it('skips a payload of exactly n octets across chunks', () => {
    const r = reader();
    r.feed(Buffer.from('BDAT 8\r\nabc'));
    expect(drain(r)).toEqual(['BDAT 8\r\n']);
    r.skip(8);
    expect(drain(r)).toEqual([]);
    r.feed(Buffer.from('de\r\nxNOOP\r\n')); // abc + de\r\nx = 8 octets of payload
    expect(drain(r)).toEqual(['NOOP\r\n']);
  });
});

describe('LineReader work is linear in the input (issue 10, item 3)', () => {
  /** Feed `input` one octet per chunk, draining after each, as a client writing 1-byte segments would. */
  function feedBytewise(r: LineReader, input: Buffer): string[] {
    const out: string[] = [];
    for (let i = 0; i < input.length; i++) {
      r.feed(input.subarray(i, i + 1));
      out.push(...drain(r));
    }
    return out;
  }

  it('64 KiB in 1-octet chunks: octets copied stay within a constant factor of the input', () => {
    const original = Buffer.concat;
    let concatenated = 0;
    const concat = jest.spyOn(Buffer, 'concat').mockImplementation((list: readonly Uint8Array[], total?: number) => {
      const out = original.call(Buffer, list, total);
      concatenated += out.length;
      return out;
    });
    try {
      const r = reader();
      // Lines of every length class, one over-long line, and an AUTH line: 64 KiB in all.
      const lines = ['NOOP\r\n', 'MAIL FROM:<a@a.test>\r\n', 'x'.repeat(3000) + '\r\n', 'AUTH PLAIN ' + 'q'.repeat(5000) + '\r\n'];
      let text = '';
      for (let i = 0; text.length < 64 * 1024; i++) text += lines[i % lines.length];
      const input = Buffer.from(text, 'latin1');
      const out = feedBytewise(r, input);
      expect(out.length).toBeGreaterThan(10);
      expect(out.filter((l) => l === '<too-long>').length).toBeGreaterThan(0);
      // The old reader re-copied everything held on every chunk: ~n^2/2 octets for long lines.
      expect(r.copied + concatenated).toBeLessThanOrEqual(3 * input.length);
    } finally {
      concat.mockRestore();
    }
  });

  it('the same lines come out however the input is segmented', () => {
    const input = Buffer.from('EHLO a\r\nMAIL FROM:<a@a.test>\r\n' + 'y'.repeat(2100) + '\r\nRCPT TO:<b@b.test>\nQUIT\r\n', 'latin1');
    const whole = reader();
    whole.feed(input);
    const expected = drain(whole);
    expect(expected).toEqual(['EHLO a\r\n', 'MAIL FROM:<a@a.test>\r\n', '<too-long>', 'RCPT TO:<b@b.test>\n', 'QUIT\r\n']);
    expect(feedBytewise(reader(), input)).toEqual(expected);
    for (const size of [2, 3, 7, 300, 1000]) {
      const r = reader();
      const out: string[] = [];
      for (let i = 0; i < input.length; i += size) {
        r.feed(input.subarray(i, i + size));
        out.push(...drain(r));
      }
      expect(out).toEqual(expected);
    }
  });
});
