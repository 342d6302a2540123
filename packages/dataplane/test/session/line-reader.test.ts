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
