/**
 * `ltm persistence *` in the store: the corpus's blocks load verbatim and save back the same, the
 * virtual's persist list keeps one default, and references to kinds openltm does not act on are
 * accepted with a stored-only warning and listed by `show ltm virtual`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openTestStore, type TestStore } from './helpers';

// From corpus:corkscrew__archive1__bigip.conf (a TMOS 15.1 archive), with a pool for the virtual.
const CONF = `ltm persistence cookie /Common/app3_cookie {
    always-send disabled
    app-service none
    cookie-encryption disabled
    cookie-name app3CustomeCookie
    defaults-from /Common/cookie
    encrypt-cookie-poolname disabled
    expiration 0
    httponly enabled
    method insert
    override-connection-limit disabled
    secure enabled
}
ltm persistence source-addr /Common/app3_srcAddr_persist {
    app-service none
    defaults-from /Common/source_addr
    hash-algorithm default
    map-proxies enabled
    mask none
    match-across-pools disabled
    match-across-services disabled
    match-across-virtuals disabled
    override-connection-limit disabled
    timeout 180
}
ltm pool /Common/app3_pool {
    members {
        /Common/10.0.0.31:25 {
            address 10.0.0.31
        }
    }
}
ltm virtual /Common/app3_t8443_vs {
    destination /Common/192.168.1.51:8443
    fallback-persistence /Common/app3_srcAddr_persist
    ip-protocol tcp
    mask 255.255.255.255
    persist {
        /Common/app3_cookie {
            default yes
        }
    }
    pool /Common/app3_pool
    profiles {
        /Common/tcp { }
    }
    source 0.0.0.0/0
    translate-address enabled
    translate-port enabled
}
`;

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => t.cleanup());

it('loads the corpus persistence blocks and the virtual that uses them, and saves them back to a fixpoint', () => {
  const file = path.join(t.dir, 'in.conf');
  fs.writeFileSync(file, CONF);
  t.run(`load sys config merge file ${file}`);
  expect(t.run('list ltm persistence cookie app3_cookie')).toContain('cookie-name app3CustomeCookie');
  expect(t.run('list ltm virtual app3_t8443_vs fallback-persistence persist')).toMatch(/fallback-persistence app3_srcAddr_persist\s+persist \{\s+app3_cookie \{\s+default yes/);
  const first = path.join(t.dir, 'out1.conf');
  t.run(`save sys config file ${first}`);
  const again = openTestStore();
  try {
    again.run(`load sys config file ${first}`);
    const second = path.join(again.dir, 'out2.conf');
    again.run(`save sys config file ${second}`);
    const body = (f: string) => fs.readFileSync(f, 'utf8').replace(/^#.*\n/gm, '').replace(/creation-time \S+|last-modified-time \S+/g, '');
    expect(body(second)).toBe(body(first));
    expect(body(first)).toContain('ltm persistence source-addr /Common/app3_srcAddr_persist {');
  } finally {
    again.cleanup();
  }
});

it('a cookie persistence reference is accepted with a stored-only warning; show ltm virtual lists it', () => {
  t.run('create ltm pool p members replace-all-with { 10.0.0.1:25 { } }');
  const r = t.store.execute('create ltm virtual vs destination 10.0.0.100:25 pool p persist replace-all-with { cookie } fallback-persistence ssl', t.session);
  expect((r.warnings ?? []).map(String)).toEqual([
    '01070998:4: Virtual Server (/Common/vs): "persist /Common/cookie (cookie persistence)" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
    '01070998:4: Virtual Server (/Common/vs): "fallback-persistence /Common/ssl (ssl persistence)" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
  ]);
  expect(t.run('show ltm virtual vs')).toContain('ltm virtual /Common/vs: persist /Common/cookie cookie persistence');
  // A source-addr profile takes effect: nothing to warn about.
  expect(t.store.execute('modify ltm virtual vs persist replace-all-with { source_addr }', t.session).warnings).toBeUndefined();
  expect(t.run('list ltm virtual vs persist')).toMatch(/source_addr \{\s+default yes\s+\}/);
});

it('a persist list has one default: two are refused, several without one are refused, a single entry becomes the default', () => {
  t.run('create ltm pool p members replace-all-with { 10.0.0.1:25 { } }');
  expect(t.fail('create ltm virtual vs destination 10.0.0.100:25 pool p persist replace-all-with { source_addr { default yes } cookie { default yes } }').toString()).toMatch(/more than one default persistence profile/);
  expect(t.fail('create ltm virtual vs destination 10.0.0.100:25 pool p persist replace-all-with { source_addr cookie }').toString()).toMatch(/none is default/);
  t.run('create ltm virtual vs destination 10.0.0.100:25 pool p persist replace-all-with { source_addr { default yes } cookie { default no } }');
  expect(t.run('list ltm virtual vs persist')).toMatch(/cookie \{\s+default no\s+\}\s+source_addr \{\s+default yes/);
});

it('source-addr values: mask none or a netmask, timeout a number or indefinite; built-ins cannot be deleted, profiles in use neither', () => {
  t.run('create ltm persistence source-addr sa mask 255.255.255.0 timeout indefinite');
  expect(t.fail('modify ltm persistence source-addr sa mask 255.0.255.0').toString()).toContain('01070712:3: Invalid value "255.0.255.0" for property "mask"');
  expect(t.fail('modify ltm persistence source-addr sa timeout soon').toString()).toContain('"timeout"');
  expect(t.fail('delete ltm persistence source-addr source_addr').toString()).toMatch(/built-in|cannot be deleted/i);
  t.run('create ltm pool p members replace-all-with { 10.0.0.1:25 { } }');
  t.run('create ltm virtual vs destination 10.0.0.100:25 pool p persist replace-all-with { sa }');
  expect(t.fail('delete ltm persistence source-addr sa').toString()).toContain('in use by a Virtual Server (/Common/vs)');
});
