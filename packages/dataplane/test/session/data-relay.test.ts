/** DataScanner: end-of-data and smuggling detection must not depend on how TCP splits the bytes. */
import fc from 'fast-check';
import { DataScanner, type ScanResult } from '../../src/session/data-relay';

/** Feed chunks; return what was forwarded, how it ended, and what followed the end. */
function scan(chunks: Buffer[], guard: boolean): { forwarded: string; kind: ScanResult['kind']; rest: string } {
  const s = new DataScanner(guard);
  let forwarded = '';
  for (let i = 0; i < chunks.length; i++) {
    const r = s.push(chunks[i]);
    if (r.forward) forwarded += r.forward.toString('latin1');
    if (r.kind === 'end') {
      const rest = (r.rest?.toString('latin1') ?? '') + Buffer.concat(chunks.slice(i + 1)).toString('latin1');
      return { forwarded, kind: 'end', rest };
    }
    if (r.kind === 'smuggling') return { forwarded, kind: 'smuggling', rest: '' };
  }
  return { forwarded, kind: 'more', rest: '' };
}

const b = (s: string) => Buffer.from(s, 'latin1');

describe('DataScanner', () => {
  it.each([
    ['plain end', 'hello\r\n.\r\nNOOP\r\n', 'end', 'hello\r\n.\r\n', 'NOOP\r\n'],
    ['empty message', '.\r\n', 'end', '.\r\n', ''],
    ['dot-stuffed line is content', '..x\r\n.\r\n', 'end', '..x\r\n.\r\n', ''],
    ['no end yet', 'abc\r\n.x', 'more', 'abc\r\n.x', ''],
  ])('%s', (_n, input, kind, fwd, rest) => {
    const r = scan([b(input)], true);
    expect(r.kind).toBe(kind);
    expect(r.forwarded).toBe(fwd);
    expect(r.rest).toBe(rest);
  });

  it.each(['a\n.\nX', 'a\r\n.\nX', 'a\n.\r\nX', 'a\r.\rX', 'a\r\n.\rX', '.\nX'])('guard stops at %j before the dot', (input) => {
    const r = scan([b(input)], true);
    expect(r.kind).toBe('smuggling');
    expect(r.forwarded).toBe(input.slice(0, input.indexOf('.')));
  });

  it('without the guard, look-alikes are content', () => {
    const r = scan([b('a\n.\nb\r.\r\n.\r\n')], false);
    expect(r).toEqual({ forwarded: 'a\n.\nb\r.\r\n.\r\n', kind: 'end', rest: '' });
  });

  it('any split of the input gives the same result as one chunk (property)', () => {
    const alphabet = fc.constantFrom('a', '.', '\r', '\n', '\r\n', '\r\n.', '.\r\n', 'xyz');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }), fc.array(fc.nat(40), { maxLength: 6 }), fc.boolean(), (parts, cuts, guard) => {
        const whole = b(parts.join(''));
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(whole.subarray(prev, p));
          prev = p;
        }
        chunks.push(whole.subarray(prev));
        const one = scan([whole], guard);
        const many = scan(chunks, guard);
        expect(many.kind).toBe(one.kind);
        expect(many.rest).toBe(one.rest);
        // Forwarding may lag while the scanner holds back a possible terminator, never run ahead.
        if (one.kind !== 'more') expect(many.forwarded).toBe(one.forwarded);
        else expect(one.forwarded.startsWith(many.forwarded)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the strict end matches a reference search for CRLF.CRLF (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '.', '\r', '\n', '\r\n.\r\n'), { maxLength: 20 }), (parts) => {
        const text = parts.join('');
        const ref = ('\r\n' + text).indexOf('\r\n.\r\n');
        const r = scan([b(text)], false);
        if (ref < 0) expect(r.kind).toBe('more');
        else expect(r.forwarded).toBe(text.slice(0, ref + 3));
      }),
      { numRuns: 2000 },
    );
  });
});
