import fc from 'fast-check';
import { escapeTmsh, formatScalar, parseCommand, quote, unescapeTmsh } from '@openltm/parser';

/** Parses `modify ltm pool p description <printed>` and returns the value the parser reads. */
function readBack(printed: string): { text: string; quoted: boolean } {
  const v = parseCommand(`modify ltm pool p description ${printed}`).properties[0];
  if (v.kind !== 'property' || v.value.kind !== 'scalar') throw new Error('not a scalar');
  return { text: v.value.text, quoted: v.value.quoted };
}

describe('quote', () => {
  it('leaves plain words bare and quotes what needs it', () => {
    expect(quote('smtp_pool')).toBe('smtp_pool');
    expect(quote('/Common/10.0.0.1:25')).toBe('/Common/10.0.0.1:25');
    expect(quote('two words')).toBe('"two words"');
    expect(quote('')).toBe('""');
    expect(quote('a{b')).toBe('"a{b"');
    expect(quote('why?')).toBe('"why?"');
    expect(quote('GET /\\r\\n')).toBe('"GET /\\r\\n"');
    expect(quote('say "hi"')).toBe('"say \\"hi\\""');
    expect(quote('already \\"escaped\\"')).toBe('"already \\"escaped\\""');
    expect(quote('ends with \\')).toBe('"ends with \\\\"');
  });

  it('keeps a quoted empty string quoted', () => {
    expect(formatScalar({ text: '', quoted: true })).toBe('""');
    expect(formatScalar({ text: 'x', quoted: true })).toBe('"x"');
    expect(formatScalar({ text: 'x y', quoted: false })).toBe('"x y"');
  });

  it('round-trips any escaped value through the parser', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (plain) => {
        const escaped = escapeTmsh(plain);
        const back = readBack(quote(escaped));
        expect(back.text).toBe(escaped);
        expect(unescapeTmsh(back.text)).toBe(plain);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('converts between plain text and tmsh escapes', () => {
    expect(escapeTmsh('GET /\r\nWhat?\t"x"\\')).toBe('GET /\\r\\nWhat\\?\\t\\"x\\"\\\\');
    expect(unescapeTmsh('GET /\\r\\n\\?')).toBe('GET /\r\n?');
  });
});
