/**
 * The CommandReader's reading rules, and a property against two reference readers: Postfix's
 * smtpd_token.c (skip leading isspace(), split on any isspace(), stop at NUL as C strings do) and
 * the strictest server (the verb is what precedes the first SP). Whenever the reader forwards a
 * line (not ambiguous), all three must agree on the verb.
 */
import * as fc from 'fast-check';
import { Ambiguity, isAuthLine, readCommand, wireBytes } from '../../src/session/command-reader';

const read = (s: string) => readCommand(Buffer.from(s, 'latin1'));

describe('readCommand', () => {
  it.each([
    ['MAIL FROM:<a@b.test>\r\n', 'MAIL', 'FROM:<a@b.test>'],
    ['mail  FROM:<a@b.test> SIZE=10 \r\n', 'MAIL', 'FROM:<a@b.test> SIZE=10'],
    ['eHlO client.test\n', 'EHLO', 'client.test'],
    ['DATA \r\n', 'DATA', ''],
    ['NOOP\r\r\n', 'NOOP', ''],
    ['\r\n', '', ''],
    ['MAIL FROM:<a@b.test>\tSIZE=10\r\n', 'MAIL', 'FROM:<a@b.test>\tSIZE=10'],
  ])('%j reads as %s / %j', (line, verb, args) => {
    const c = read(line);
    expect(c.ambiguous).toBeUndefined();
    expect(c.verb).toBe(verb);
    expect(c.args).toBe(args);
  });

  it.each([
    ['XCLIENT\tADDR=6.6.6.6\r\n', Ambiguity.verb, 'XCLIENT'],
    [' XCLIENT ADDR=6.6.6.6\r\n', Ambiguity.verb, 'XCLIENT'],
    ['\tDATA\r\n', Ambiguity.verb, 'DATA'],
    ['DATA\t\r\n', Ambiguity.verb, 'DATA'],
    ['\x0bDATA\r\n', Ambiguity.verb, ''],
    ['DATA\0\r\n', Ambiguity.verb, ''],
    ['D\xc4TA\r\n', Ambiguity.verb, ''],
    ['MAIL FROM:<a@b.test>\0x\r\n', Ambiguity.args, 'MAIL'],
    ['MAIL FROM:<a@b.test>\x1b[0m\r\n', Ambiguity.args, 'MAIL'],
    ['NOOP\rRSET\r\n', Ambiguity.bareCr, ''],
  ])('%j is refused locally with %j', (line, reply, verb) => {
    const c = read(line);
    expect(c.ambiguous).toBe(reply);
    if (verb) expect(c.verb).toBe(verb);
  });

  it('upper-cases ASCII only: no latin1 letter turns into an ASCII one', () => {
    // JavaScript's toUpperCase makes 'ß' 'SS': "QUIß" must never read as a verb ending in SS.
    expect(read('STARTTLß\r\n').verb).not.toBe('STARTTLSS');
    expect(read('STARTTLß\r\n').ambiguous).toBe(Ambiguity.verb);
  });

  it('the member always gets CRLF, the rest byte for byte', () => {
    expect(wireBytes(read('RSET\n')).toString()).toBe('RSET\r\n');
    expect(wireBytes(read('NOOP\r\r\n')).toString()).toBe('NOOP\r\n');
    const raw = Buffer.from('MAIL FROM:<a@b.test>\r\n');
    expect(wireBytes(readCommand(raw))).toBe(raw);
  });

  it('AUTH line class: "AUTH " in any case, nothing else', () => {
    expect(isAuthLine(Buffer.from('auth XOAUTH2 x'))).toBe(true);
    expect(isAuthLine(Buffer.from('AUTH\tPLAIN x'))).toBe(false);
    expect(isAuthLine(Buffer.from(' AUTH PLAIN'))).toBe(false);
    expect(isAuthLine(Buffer.from('xxAUTH PLAIN'), 2)).toBe(true);
  });
});

/** Postfix's reading: ISSPACE is SP, HTAB, LF, VT, FF, CR; the line is a C string (ends at NUL). */
function postfixVerb(content: Buffer): string {
  const nul = content.indexOf(0);
  const s = content.toString('latin1', 0, nul < 0 ? content.length : nul);
  const m = /^[ \t\n\v\f\r]*([^ \t\n\v\f\r]*)/.exec(s)!;
  return m[1].replace(/[a-z]/g, (ch) => ch.toUpperCase());
}

/** The strictest reading: the verb is everything up to the first SP. */
function strictVerb(content: Buffer): string {
  const s = content.toString('latin1');
  const sp = s.indexOf(' ');
  return (sp < 0 ? s : s.slice(0, sp)).replace(/[a-z]/g, (ch) => ch.toUpperCase());
}

it('property: whenever a line is forwarded, Postfix, the strictest reader and the proxy see one verb', () => {
  const octet = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'DATAMILRCPTEHLOXCIENTQUSdatamilrcptehlo:<>@. '.split('')) },
    { weight: 1, arbitrary: fc.constantFrom('\t', '\0', '\r', '\x0b', '\x0c', '\x01', '\x7f', '\xa0', '\xdf', '\xff') },
  );
  const line = fc.tuple(fc.array(octet, { maxLength: 24 }), fc.constantFrom('\r\n', '\n', '\r\r\n')).map(([cs, end]) => Buffer.from(cs.join('') + end, 'latin1'));
  const seed = 4242;
  fc.assert(
    fc.property(line, (raw) => {
      const cmd = readCommand(raw);
      if (cmd.ambiguous) return true;
      const content = Buffer.from(cmd.text, 'latin1');
      return cmd.verb === postfixVerb(content) && cmd.verb === strictVerb(content);
    }),
    { seed, numRuns: 20_000 },
  );
});
