/**
 * Objects of types openltm does not model are kept as they came: listed in BIG-IP's layout,
 * saved back unchanged, deleted by name (not while a virtual uses them), and marked stored only.
 * iRules are modelled: their Tcl is kept verbatim and never executed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

const HTTP = [
  'ltm profile http /Common/my_http {',
  '    app-service none',
  '    defaults-from /Common/http',
  '    enforcement {',
  '        known-methods { CONNECT DELETE GET }',
  '        unknown-method reject',
  '    }',
  '    header-insert "X-Forwarded-Proto: https"',
  '    response-chunking sustain',
  '}',
].join('\n');

const RULE = [
  'ltm rule /Common/tricky {',
  '# a comment: Tcl counts braces here too {}',
  'when HTTP_REQUEST {',
  '    if { [HTTP::uri] eq "/\\}" } { HTTP::respond 200 content "it\'s \\{ odd" }',
  '    log local0. "multi',
  'line"',
  '}',
  '}',
].join('\n');

function loadText(text: string): string {
  const file = path.join(t.dir, `in-${Math.random().toString(36).slice(2)}.conf`);
  fs.writeFileSync(file, text + '\n');
  return t.run(`load sys config merge file ${file}`);
}

describe('preserved objects', () => {
  it('an http profile: listed and saved exactly as it came, shown as stored only', () => {
    expect(loadText(HTTP)).toContain('Stored only: 1 objects of types openltm does not implement, kept as they came (list and save show them; nothing acts on them): ltm profile http (1).');
    // Listed from /Common by its relative name, as tmsh lists; saved with its full path.
    const LISTED = HTTP.replace('ltm profile http /Common/my_http {', 'ltm profile http my_http {');
    expect(t.run('list ltm profile http my_http')).toBe(LISTED + '\n');
    expect(t.run('list ltm profile http my_http one-line')).toBe('ltm profile http my_http { app-service none defaults-from /Common/http enforcement { known-methods { CONNECT DELETE GET } unknown-method reject } header-insert "X-Forwarded-Proto: https" response-chunking sustain }\n');
    expect(t.run('show ltm profile http my_http')).toBe('ltm profile http /Common/my_http: stored only: openltm does not implement this type. It is kept as it came (list shows it, save writes it back) and nothing acts on it.\n');
    const file = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${file}`);
    expect(fs.readFileSync(file, 'utf8')).toContain(`\n${HTTP}\n`);
    expect(t.run('list ltm profile')).toContain(LISTED);
    t.run('cd /');
    expect(t.run('list ltm profile http')).toBe('');
    expect(t.run('list ltm profile http recursive one-line')).toMatch(/^ltm profile http Common\/my_http \{ app-service none /);
  });

  it('used by a virtual: that virtual is kept, not served, and the profile cannot be deleted until it is free', () => {
    loadText([HTTP, 'ltm virtual /Common/web {', '    destination /Common/192.0.2.1:80', '    profiles {', '        /Common/my_http { }', '        /Common/tcp { }', '    }', '}'].join('\n'));
    expect(t.run('show ltm virtual web')).toContain('Reason           : Not served by openltm (no listener): profile /Common/my_http is not supported: it is ltm profile http, which openltm does not serve.');
    expect(t.fail('delete ltm profile http my_http').toString()).toBe('01070265:3: The ltm profile http (/Common/my_http) cannot be deleted because it is in use by a Virtual Server (/Common/web).');
    // Typed, the same virtual is refused: only a loaded estate keeps what openltm cannot serve.
    expect(t.fail('create ltm virtual web2 destination 192.0.2.2:80 profiles add { my_http tcp }').toString()).toBe(
      '01070997:3: Virtual Server (/Common/web2): profile /Common/my_http is not supported: it is ltm profile http, which openltm does not serve.',
    );
    t.run('delete ltm virtual web');
    t.run('delete ltm profile http my_http');
    expect(t.fail('list ltm profile http my_http').message).toMatch(/^"http" unknown property \(expected /);
  });

  it('an iRule: Tcl with escaped braces, quotes and comments kept verbatim, from a file and from create; never executed', () => {
    loadText(RULE);
    expect(t.run('list ltm rule tricky')).toBe(RULE.replace('/Common/tricky', 'tricky') + '\n');
    const warnings = t.store.execute('create ltm virtual vs destination 192.0.2.5:25 rules { tricky }', t.session).warnings ?? [];
    expect(warnings.map(String)).toEqual(['01070998:4: Virtual Server (/Common/vs): "rules" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.']);
    expect(t.run('show ltm virtual vs')).toContain('  ltm virtual /Common/vs: rules { /Common/tricky }');
    t.run('create ltm rule typed { when CLIENT_ACCEPTED { log local0. "x \\} y" } }');
    expect(t.run('list ltm rule typed')).toBe('ltm rule typed { when CLIENT_ACCEPTED { log local0. "x \\} y" } }\n');
    const file = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${file}`);
    expect(fs.readFileSync(file, 'utf8')).toContain(`\n${RULE}\n`);
  });

  it('commands on a type nothing has, and words that name no type, get tmsh-style errors', () => {
    expect(t.fail('list ltm policy p1').message).toMatch(/^"policy" unknown property \(expected /);
    expect(t.fail('create ltm profile http p').message).toBe('"http" unknown property (expected client-ssl, server-ssl, smtps, tcp)');
    expect(t.fail('create ltm ifile s1').message).toMatch(/^"ifile" unknown property/);
  });

  it('a certificate and key whose files stayed on the BIG-IP: kept without PEM, and the virtual that needs them is not served', () => {
    const out = loadText([
      'sys file ssl-cert /Common/away.crt {',
      '    source-path file:///config/ssl/ssl.crt/away.crt',
      '}',
      'sys file ssl-key /Common/away.key {',
      '    source-path file:///config/ssl/ssl.key/away.key',
      '}',
      'ltm profile client-ssl /Common/away_ssl {',
      '    cert-key-chain {',
      '        default {',
      '            cert /Common/away.crt',
      '            key /Common/away.key',
      '        }',
      '    }',
      '    defaults-from /Common/clientssl',
      '}',
      'ltm virtual /Common/mail {',
      '    destination /Common/192.0.2.25:25',
      '    profiles {',
      '        /Common/away_ssl {',
      '            context clientside',
      '        }',
      '        /Common/smtps { }',
      '        /Common/tcp { }',
      '    }',
      '}',
    ].join('\n'));
    expect(out).toContain('  sys file ssl-cert /Common/away.crt: Cannot read /config/ssl/ssl.crt/away.crt: no such file.\n');
    expect(out).toContain('  /Common/mail: profile /Common/away_ssl is not supported: sys file ssl-cert /Common/away.crt has no PEM: Cannot read /config/ssl/ssl.crt/away.crt: no such file.');
    // Typed, a profile without PEM is still refused.
    expect(t.fail('create ltm profile client-ssl again cert-key-chain replace-all-with { default { cert away.crt key away.key } }').message).toMatch(/has no PEM content/);
  });
});
