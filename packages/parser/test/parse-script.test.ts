import { parseScript, type ObjectStatement, type RawObjectStatement } from '@openltm/parser';

const FILE = `#TMSH-VERSION: 14.1.2

sys ntp {
    timezone America/Los_Angeles
}
ltm monitor smtp /Common/smtp_mon {
    defaults-from /Common/smtp
    domain example.com
    adaptive disabled
}
ltm pool /Common/smtp_pool {
    members {
        /Common/10.0.0.11:25 {
            address 10.0.0.11
        }
    }
    monitor /Common/smtp_mon
}
ltm rule /Common/r {
when HTTP_REQUEST {
  if { [HTTP::host] eq "a" } { HTTP::respond 200 content "\\}" }
}
}
ltm virtual /Common/vs {
    destination /Common/192.0.2.10:25
    disabled
    clone-pools {
        /Common/clone_pool {
            context clientside
        }
    }
    profiles {
        /Common/tcp { }
    }
}
auth partition Common { }
`;

describe('parseScript: bigip.conf files', () => {
  const res = parseScript(FILE, { source: 'bigip.conf' });

  it('parses a saved file without errors and reads the version header', () => {
    expect(res.errors).toEqual([]);
    expect(res.tmshVersion).toBe('14.1.2');
    expect(res.statements.map((s) => s.kind)).toEqual(['raw-object', 'object', 'object', 'object', 'object', 'raw-object']);
  });

  it('shapes known types and keeps unknown properties raw with the rest of their line', () => {
    const mon = res.statements[1] as ObjectStatement;
    expect(mon).toMatchObject({ typeKey: 'ltm monitor smtp', name: '/Common/smtp_mon' });
    expect(mon.properties).toMatchObject([
      { kind: 'property', name: 'defaults-from', value: { text: '/Common/smtp' } },
      { kind: 'property', name: 'domain', value: { text: 'example.com' } },
      { kind: 'raw-property', name: 'adaptive', values: [{ kind: 'word', text: 'disabled' }] },
    ]);
    const vs = res.statements[4] as ObjectStatement;
    expect(vs.properties.map((p) => `${p.kind}:${p.name}`)).toEqual(['property:destination', 'property:enabled', 'raw-property:clone-pools', 'property:profiles']);
    expect(vs.properties[2]).toMatchObject({ values: [{ kind: 'block' }] });
  });

  it('keeps Tcl bodies of ltm rule verbatim, with escaped braces', () => {
    // ltm rule is a modelled type whose one property is the whole body, exactly as written.
    const rule = res.statements[3] as ObjectStatement;
    expect(rule).toMatchObject({ typeKey: 'ltm rule', name: '/Common/r', properties: [{ name: 'definition', value: { kind: 'scalar' } }] });
    const definition = rule.properties[0].kind === 'property' && rule.properties[0].value.kind === 'scalar' ? rule.properties[0].value.text : '';
    expect(definition).toContain('HTTP::respond 200 content "\\}"');
    expect(definition.startsWith('\n') && definition.endsWith('\n')).toBe(true);
    // An unbalanced quote in Tcl does not matter: only braces count.
    const odd = parseScript('ltm rule /Common/q {\nwhen X { log local0. "it\'s \\"odd }\n}\nltm pool /Common/p { }\n');
    expect(odd.errors).toEqual([]);
    expect(odd.statements.map((s) => s.kind)).toEqual(['object', 'object']);
  });

  it('keeps Tcl, APL and HTML blocks of templates and iCall scripts verbatim', () => {
    const text = [
      'sys application template /Common/t {',
      '    actions {',
      '        definition {',
      '            html-help {',
      '<p>Say "hi</p>',
      '            }',
      '            implementation {',
      'proc x {} { puts "\\{" }',
      '            }',
      '            presentation {',
      'section s { string name }',
      '            }',
      '        }',
      '    }',
      '}',
      'sys icall script /Common/s {',
      '    definition {',
      'set a "unbalanced',
      '    }',
      '}',
      'ltm pool /Common/p { }',
    ].join('\n');
    const r = parseScript(text);
    expect(r.errors).toEqual([]);
    expect(r.statements.map((s) => s.kind)).toEqual(['raw-object', 'raw-object', 'object']);
  });

  it('groups block items by source line', () => {
    const vs = res.statements[4] as ObjectStatement;
    const clone = vs.properties[2];
    const block = clone.kind === 'raw-property' ? clone.values[0] : undefined;
    expect(block?.kind === 'block' && block.lines.map((l) => l.map((n) => (n.kind === 'block' ? '{}' : n.text)))).toEqual([['/Common/clone_pool', '{}']]);
  });

  it('records positions with the source name', () => {
    expect(res.statements[2].pos).toEqual({ line: 11, column: 1, offset: FILE.indexOf('ltm pool'), source: 'bigip.conf' });
  });

  it('names raw objects by their type words', () => {
    expect(res.statements[0]).toMatchObject({ kind: 'raw-object', path: ['sys', 'ntp'], typeWords: ['sys', 'ntp'] });
    expect(res.statements[5]).toMatchObject({ path: ['auth', 'partition', 'Common'], typeWords: ['auth', 'partition'] });
  });
});

describe('parseScript: scripts', () => {
  it('splits statements on newlines and semicolons but not inside braces', () => {
    const res = parseScript('create ltm pool p1 members add {\n 10.0.0.1:25 { address 10.0.0.1 }\n}; create ltm pool p2\n\ndelete ltm pool p3 # gone\n');
    expect(res.errors).toEqual([]);
    expect(res.statements.map((s) => (s.kind === 'command' ? `${s.verb} ${s.targets.map((t) => (t.kind === 'name' ? t.name : t.kind)).join()}` : s.kind))).toEqual([
      'create p1', 'create p2', 'delete p3',
    ]);
    expect(res.statements[1].text).toBe('create ltm pool p2');
  });

  it('accepts captured `tmsh` prefixes and unknown types as raw commands', () => {
    const res = parseScript('tmsh create ltm ifile s1 members add {10.1.10.101 10.1.10.102}\n');
    expect(res.errors).toEqual([]);
    expect(res.statements[0]).toMatchObject({ kind: 'command', verb: 'create', path: ['ltm', 'ifile'], isObjectType: false, targets: [{ name: 's1' }] });
    expect(res.statements[0]).not.toHaveProperty('typeKey');
    expect(res.statements[0].text).toBe('create ltm ifile s1 members add {10.1.10.101 10.1.10.102}');
    expect(parseScript('create ltm ifile s1', { unknownTypes: 'error' }).errors[0].message).toMatch(/^"ifile" unknown property/);
  });

  it('reports every error of a file at once and keeps the good statements', () => {
    const text = [
      'ltm pool /Common/a {',
      '    members {',
      '        /Common/10.0.0.1:25 {',
      '            address 10.0.0.1',
      '    }',
      '}',
      'ltm pool /Common/b { }',
      'create ltm pool c bogus 1',
      '}',
      'ltm pool /Common/d { monitor tcp }',
    ].join('\n');
    const res = parseScript(text);
    expect(res.errors.map((e) => [e.message, e.position?.line])).toEqual([
      ['"{" has no matching "}"', 1],
      ['"bogus" unknown property', 8],
      ['unexpected "}"', 9],
    ]);
    expect(res.statements.map((s) => (s.kind === 'object' ? s.name : s.kind))).toEqual(['/Common/b', '/Common/d']);
  });

  it('keeps a multi-line quoted string whole, escapes as written', () => {
    const res = parseScript('ltm monitor tcp /Common/m {\n    send "GET / HTTP/1.1\\r\\nHost: x\n\n"\n    recv "200 \\"OK\\""\n}\n');
    expect(res.errors).toEqual([]);
    const m = res.statements[0] as ObjectStatement;
    expect(m.properties).toMatchObject([
      { name: 'send', value: { kind: 'scalar', quoted: true, text: 'GET / HTTP/1.1\\r\\nHost: x\n\n' } },
      { name: 'recv', value: { text: '200 \\"OK\\"' } },
    ]);
  });
});
