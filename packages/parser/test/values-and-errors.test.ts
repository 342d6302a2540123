import { ConfigError } from '@openltm/model';
import { formatError, parseCommand, parseScript, type ObjectStatement } from '@openltm/parser';

function valueOf(line: string): unknown {
  return parseCommand(line).properties[0];
}

describe('values', () => {
  it('keeps addresses, route domains, IPv6 with a dot port and service names as single words', () => {
    for (const d of ['10.0.0.1:25', '10.0.0.1%2:25', '2001:db8::1.25', 'dead:beef::1.80', '192.0.2.1:smtp', '/Common/10.0.0.1:25', '[2001:db8::1].25']) {
      expect(valueOf(`create ltm virtual v destination ${d}`)).toMatchObject({ name: 'destination', value: { kind: 'scalar', text: d, quoted: false } });
    }
    expect(valueOf('modify ltm pool p members add { 2001:db8::1.25 { address 2001:db8::1 } pool_gw:any }')).toMatchObject({
      value: { entries: [{ name: '2001:db8::1.25' }, { name: 'pool_gw:any' }] },
    });
  });

  it('keeps tmsh escapes as written inside quotes', () => {
    expect(valueOf('modify ltm monitor tcp m send "GET /\\r\\n" ')).toMatchObject({ value: { text: 'GET /\\r\\n', quoted: true } });
    expect(valueOf('modify ltm monitor tcp m recv "say \\"hi\\" \\\\ \\?"')).toMatchObject({ value: { text: 'say \\"hi\\" \\\\ \\?' } });
    expect(valueOf('modify ltm pool p description ""')).toMatchObject({ value: { text: '', quoted: true } });
  });

  it('reads list properties, with operators, none and single words', () => {
    expect(valueOf('modify ltm virtual v vlans add { external internal }')).toMatchObject({ value: { kind: 'list', op: 'add', items: [{ text: 'external' }, { text: 'internal' }] } });
    expect(valueOf('modify ltm virtual v vlans none')).toMatchObject({ value: { kind: 'scalar', text: 'none' } });
    expect(valueOf('modify ltm profile client-ssl c options { no-tlsv1 no-sslv3 }')).toMatchObject({ value: { kind: 'list', items: [{ text: 'no-tlsv1' }, { text: 'no-sslv3' }] } });
  });

  it('treats # as a comment only at the start of a word', () => {
    const res = parseScript('ltm pool /Common/p { # note\n    description a#b #builtin\n}\n');
    expect(res.errors).toEqual([]);
    expect((res.statements[0] as ObjectStatement).properties).toMatchObject([{ name: 'description', value: { text: 'a#b' } }]);
  });

  it('joins lines ending in a backslash', () => {
    expect(parseCommand('create ltm pool p1 \\\n monitor tcp').properties).toMatchObject([{ name: 'monitor' }]);
  });

  it('reads CRLF files with the right line numbers, and unicode blanks as blanks', () => {
    const res = parseScript('ltm pool /Common/a {\r\n    monitor tcp\r\n}\r\nltm pool /Common/b {\r\n    bogus\u00a0x\r\n    members { a:25 { oops 1 } }\r\n}\r\n');
    expect(res.errors).toEqual([]);
    expect(res.statements.map((s) => s.pos.line)).toEqual([1, 4]);
    const b = res.statements[1] as ObjectStatement;
    expect(b.properties[0]).toMatchObject({ kind: 'raw-property', name: 'bogus', values: [{ text: 'x' }] });
    expect(b.properties[1]).toMatchObject({ value: { entries: [{ properties: [{ kind: 'raw-property', name: 'oops', pos: { line: 6 } }] }] } });
    const e = parseScript('create ltm pool p {\r\n  monitor tcp\r\n  monitr x\r\n}\r\n').errors[0];
    expect(e.position).toMatchObject({ line: 3, column: 3 });
  });

  it('reads a one-line list output object', () => {
    const res = parseScript('ltm pool p1 { members { 10.0.0.1:25 { address 10.0.0.1 } } monitor tcp }\n');
    expect(res.errors).toEqual([]);
    expect((res.statements[0] as ObjectStatement).properties.map((p) => p.name)).toEqual(['members', 'monitor']);
  });
});

describe('formatError', () => {
  it('prints the message, the line and a caret under the column', () => {
    const line = 'create ltm pool p1 monitr tcp';
    let err: unknown;
    try {
      parseCommand(line);
    } catch (e) {
      err = e;
    }
    expect(ConfigError.is(err)).toBe(true);
    expect(formatError(err as ConfigError, line)).toBe(
      'Syntax Error: "monitr" unknown property (line 1, column 20)\ncreate ltm pool p1 monitr tcp\n                   ^',
    );
  });

  it('names the source file and points into the right line of a file', () => {
    const text = 'ltm pool /Common/a { }\nltm pool /Common/b {\n    monitor min x of { a }\n}\n';
    const [e] = parseScript(text, { source: 'bigip.conf' }).errors;
    expect(formatError(e, text)).toBe(
      'Syntax Error: "min" requires a number: min N of { monitors } (bigip.conf, line 3, column 17)\n    monitor min x of { a }\n                ^',
    );
  });
});
