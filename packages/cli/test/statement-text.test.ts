import { insideQuotes, needsContinuation, splitStatements } from '../src/statement-text';
import { joinArgs } from '../src/command-line';

describe('multi-line entry', () => {
  it.each([
    ['create ltm pool p1 members add {', true],
    ['create ltm pool p1 members add { 127.0.0.1:2526 }', false],
    ['modify ltm pool p1 description "open', true],
    ['modify ltm pool p1 description "a { b"', false],
    ['modify ltm pool p1 description "say \\"{\\""', false],
    ['create ltm pool p1 \\', true],
    ['list ltm pool # {', false],
  ])('%s -> continue=%s', (text, expected) => {
    expect(needsContinuation(text)).toBe(expected);
  });

  it('knows when the cursor is inside quotes', () => {
    expect(insideQuotes('modify ltm pool p1 description "why')).toBe(true);
    expect(insideQuotes('modify ltm pool p1 description "why" ')).toBe(false);
  });
});

describe('splitStatements', () => {
  it('splits on ; and newlines outside quotes and braces, with offsets', () => {
    const text = 'create ltm pool p1; list ltm pool p1 ;\n# a comment\ncreate ltm pool p2 members {\n 127.0.0.1:2526\n}\nmodify ltm pool p2 description "a;b"';
    expect(splitStatements(text)).toEqual([
      { text: 'create ltm pool p1', offset: 0 },
      { text: 'list ltm pool p1', offset: 20 },
      { text: 'create ltm pool p2 members {\n 127.0.0.1:2526\n}', offset: 51 },
      { text: 'modify ltm pool p2 description "a;b"', offset: 98 },
    ]);
    for (const s of splitStatements(text)) expect(text.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
  });
});

describe('joinArgs', () => {
  it('rebuilds the tmsh line from shell arguments, quoting values the shell unquoted', () => {
    expect(joinArgs(['create', 'ltm', 'pool', 'p1', 'members', 'add', '{', '127.0.0.1:2526', '}', 'description', 'SMTP pool', ''])).toBe(
      'create ltm pool p1 members add { 127.0.0.1:2526 } description "SMTP pool" ""',
    );
  });

  it('keeps arguments that already hold tmsh syntax, and a lone argument, as written', () => {
    expect(joinArgs(['modify', 'ltm', 'pool', 'p1', 'description', '"SMTP pool"'])).toBe('modify ltm pool p1 description "SMTP pool"');
    expect(joinArgs(['list ltm pool p1'])).toBe('list ltm pool p1');
  });
});
