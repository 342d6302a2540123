/**
 * Real BIG-IP estates (the corpus of saved bigip.conf files and `list` captures, see
 * ../../parser/test/fixtures/corpus/SOURCES.md): each file loads without skip-unknown with every
 * top-level object accounted for (modelled, kept as it came, or the whole file refused with the
 * reason a BIG-IP would give), saves to a fixpoint, and keeps what it does not model verbatim.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadSummary } from '@openltm/store';
import { openTestStore, type TestStore } from './helpers';
import { countTopLevel, topLevelBlocks } from './support/top-level';

const dir = path.join(__dirname, '../../parser/test/fixtures/corpus');
const corpus = (f: string) => path.join(dir, f);

/**
 * What each file does when loaded alone into a new store: every file loads. A fragment of an
 * estate (it names objects it does not define, or holds objects incomplete on their own) loads
 * too, and its load summary says, with BIG-IP's line, what is kept and not acted on; these are
 * the lines each fragment's summary must hold (the error that refused the whole file before).
 */
const EXPECTED: Record<string, string[]> = {
  'batfish__f5_bigip_structured_ltm.conf': ['01020036:3: The requested Monitor (/Common/SOME_MONITOR) was not found. Kept: ltm pool /Common/SOME_LTM_POOL (monitor) is not acted on until it exists.'],
  'batfish__f5_bigip_structured_ltm_references.conf': [
    '01070734:3: Configuration error: "members" is required to create a SNAT Pool. Kept: ltm snatpool /Common/snatpool_unused is not acted on until it is set.',
    '01020036:3: The requested SNAT Pool (/Common/snatpool_undefined) was not found. Kept: ltm snat /Common/snat_used (snatpool) is not acted on until it exists.',
  ],
  'batfish__f5_bigip_structured_ltm_virtual_cases.conf': [],
  'batfish__f5_bigip_structured_ltm_virtual_disabled.conf': [],
  'batfish__f5_bigip_structured_ltm_virtual_ip_protocol.conf': [],
  'batfish__f5_bigip_structured_snat.conf': ['01020036:3: The requested Pool (/Common/pool_used) was not found. Kept: ltm virtual /Common/virtual1 (pool) is not acted on until it exists.'],
  'batfish__f5_bigip_structured_vip_description.conf': [],
  'batfish__f5_bigip_structured_virtual_misconfigurations.conf': ['01020036:3: The requested Pool (/Common/pool) was not found. Kept: ltm virtual /Common/virtual_pool_two_incompatible1 (pool) is not acted on until it exists.'],
  'batfish__f5_bigip_structured_virtual_pool_translation_options.conf': [],
  'corkscrew__archive1__bigip.conf': ['01020036:3: The requested profile (/Common/ASM_basic_policy_1) was not found. Kept: ltm virtual /Common/bigiq.benlab.io_t443_vs (profiles) is not acted on until it exists.'],
  'corkscrew__archive1__bigip_base.conf': [],
  'corkscrew__archive1__low_profile_base.conf': [],
  'corkscrew__archive1__partitions_foo.a_1-c__bigip.conf': [],
  'corkscrew__archive1__partitions_foo__bigip.conf': ['01020036:3: The requested SNAT Pool (/Common/testSnat1_pool) was not found. Kept: ltm virtual /foo/t1.lab.io_80vs (source-address-translation pool) is not acted on until it exists.'],
  'corkscrew__archive1__partitions_hue-infra__bigip.conf': [],
  'corkscrew__archive1__profile_base.conf': [
    "  sys file ssl-cert /Common/f5-ca-bundle.crt: content not on this host: /Common/f5-ca-bundle.crt is BIG-IP's own file (system-path /config/ssl/ssl.crt/f5-ca-bundle.crt), which openltm does not read",
    '  ltm profile client-ssl /Common/clientssl: renegotiation enabled is not supported; openltm refuses client-initiated TLS renegotiation (a CPU-exhaustion lever no mail client needs).',
  ],
  'jasonrahm__mcp_test_tools__bigip.conf': ['01020036:3: The requested rule (/Common/mcp_proxy) was not found. Kept: ltm virtual /Common/mcp_virtual (rules) is not acted on until it exists.'],
  'kylinsoong__list_ltm_monitor.txt': [],
  'kylinsoong__list_ltm_pool.txt': [],
  'kylinsoong__list_ltm_virtual_persist.txt': ['01020036:3: The requested Pool (/Common/pool_NGinx) was not found. Kept: ltm virtual /Common/test_http (pool) is not acted on until it exists.'],
  'kylinsoong__list_ltm_virtual_vlans.txt': ['01020036:3: The requested rule (/Common/MB_forwarding_11.19.8.40_irules) was not found. Kept: ltm virtual /Common/MB_forwarding_11.19.8.102_vs (rules) is not acted on until it exists.'],
  'kylinsoong__list_pool_node_issue25.txt': [],
};

const files = fs.readdirSync(dir).filter((f) => /\.conf$/.test(f) || /(^|__)list_.*\.txt$/.test(f));
const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

function load(file: string, store = t): LoadSummary {
  return store.store.execute(`load sys config merge file ${file}`, store.session).data as LoadSummary;
}

describe('every corpus file', () => {
  it('is in the table of expected outcomes', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s: loads, every top-level object loaded (modelled or kept); a fragment says what it keeps unresolved', (file) => {
    const text = fs.readFileSync(corpus(file), 'utf8');
    const total = countTopLevel(text);
    expect(total).toBeGreaterThan(0);
    const r = t.store.execute(`load sys config merge file ${corpus(file)}`, t.session);
    const s = r.data as LoadSummary;
    // Partitions and folders the file needed but did not define are extra, not the file's.
    expect(sum(s.loaded) + sum(s.preserved) + s.skippedObjects.length).toBe(total);
    const lines = r.output.split('\n');
    for (const line of EXPECTED[file]) expect(lines).toContainEqual(line.startsWith(' ') ? line : `  ${line}`);
    if (EXPECTED[file].length === 0) expect([...s.unresolved, ...s.incomplete]).toEqual([]);
  });

  it.each(files)('%s: save, load into a new store, save again gives the same text', (file) => {
    load(corpus(file));
    const first = path.join(t.dir, 'first.conf');
    t.run(`save sys config file ${first}`);
    const fresh = openTestStore();
    try {
      const again = path.join(fresh.dir, 'again.conf');
      fresh.run(`load sys config file ${first}`);
      fresh.run(`save sys config file ${again}`);
      expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(first, 'utf8'));
    } finally {
      fresh.cleanup();
    }
  });
});

describe('a real estate (corkscrew archive: bigip_base.conf, then a partition file)', () => {
  it('the whole archive in UCS order (base, /Common, each partition) loads into one store, and saves to a fixpoint', () => {
    const order = ['bigip_base.conf', 'bigip.conf', 'partitions_foo__bigip.conf', 'partitions_foo.a_1-c__bigip.conf', 'partitions_hue-infra__bigip.conf'].map((f) => corpus(`corkscrew__archive1__${f}`));
    let total = 0;
    let kept = 0;
    const notServed: string[] = [];
    const outputs: string[] = [];
    for (const f of order) {
      const r = t.store.execute(`load sys config merge file ${f}`, t.session);
      outputs.push(r.output);
      const s = r.data as LoadSummary;
      total += countTopLevel(fs.readFileSync(f, 'utf8'));
      kept += sum(s.loaded) + sum(s.preserved) + s.skippedObjects.length;
      notServed.push(...s.notServed.map((v) => v.name));
    }
    expect(kept).toBe(total);
    // FQDN nodes are kept, not resolved: their members take no traffic.
    expect(t.run('list ltm node api.chucknorris.io')).toContain('    fqdn {\n');
    // A key whose file stayed on the BIG-IP is kept without its PEM, and the load says so.
    expect(outputs[1]).toContain('  sys file ssl-key /Common/f5_api_com.key: Cannot read /config/ssl/ssl.key/f5_api_com.key: no such file.\n');
    expect(t.run('list sys file ssl-key f5_api_com.key')).toContain('source-path file:/config/ssl/ssl.key/f5_api_com.key');
    // A pool with a mode openltm does not implement is kept, not served.
    expect(outputs[1]).toMatch(/Not served: 1 pools are kept but get no data-plane pool \(their virtual servers are not served\):\n {2}\/Common\/manyOptions_pool: load-balancing-mode observed-member is not supported/);
    // An ASM policy BIG-IP keeps outside bigip.conf: the virtual is kept, not served.
    expect(t.run('show ltm virtual bigiq.benlab.io_t443_vs')).toMatch(/Reason +: Not served by openltm \(no listener\): profile \/Common\/ASM_basic_policy_1 is not supported: it is not in the configuration/);
    // Of the 17 virtuals (web, UDP, forwarding), one is an SMTP-capable tcp virtual openltm serves.
    expect(notServed).toHaveLength(16);
    expect(t.store.effective('ltm virtual').filter((v) => v.properties['~not-served'] === undefined).map((v) => v.name)).toEqual(['/foo/t1.lab.io_80vs']);
    const first = path.join(t.dir, 'estate.conf');
    t.run(`save sys config file ${first}`);
    // One file, grouped by partition as BIG-IP keeps them: /Common, then foo, foo.a_1-c, hue-infra.
    const partitions = topLevelBlocks(fs.readFileSync(first, 'utf8')).map((b) => {
      const words = b.split('\n')[0].replace(/\s*\{.*$/, '').split(' ');
      const name = words[words.length - 1];
      if (b.startsWith('auth partition ')) return name;
      return name.startsWith('/') ? name.split('/')[1] || 'Common' : 'Common';
    });
    const groups = partitions.filter((p, i) => p !== partitions[i - 1]);
    expect(groups).toEqual(['Common', 'foo', 'foo.a_1-c', 'hue-infra', 'test']);
    const fresh = openTestStore();
    try {
      const again = path.join(fresh.dir, 'again.conf');
      fresh.run(`load sys config file ${first}`);
      fresh.run(`save sys config file ${again}`);
      expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(first, 'utf8'));
    } finally {
      fresh.cleanup();
    }
  });

  it('a monitor rule of monitors openltm runs and BIG-IP built-ins it knows only by name: only the latter are not run', () => {
    load(corpus('corkscrew__archive1__bigip_base.conf'));
    const s = load(corpus('corkscrew__archive1__bigip.conf'));
    // /Common/http and /Common/tcp_half_open are openltm's own monitors; http_head_f5 and http2_head_f5 have no definition here.
    expect(s.unmodeledReferences.filter((u) => u.object === 'ltm pool /Common/app3_t8443_pool')).toEqual([
      { object: 'ltm pool /Common/app3_t8443_pool', via: 'monitor', target: 'ltm monitor http /Common/http_head_f5 (a BIG-IP built-in)' },
      { object: 'ltm pool /Common/app3_t8443_pool', via: 'monitor', target: 'ltm monitor http2 /Common/http2_head_f5 (a BIG-IP built-in)' },
    ]);
  });

  it('saves objects it does not model exactly as they came', () => {
    const base = corpus('corkscrew__archive1__bigip_base.conf');
    load(base);
    const saved = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${saved}`);
    const out = new Set(topLevelBlocks(fs.readFileSync(saved, 'utf8')));
    const original = topLevelBlocks(fs.readFileSync(base, 'utf8'));
    expect(original.length).toBe(108);
    expect(original.filter((b) => !out.has(b))).toEqual([]);
  });

  it('partitions, folders, cd and names: objects in /foo.a_1-c, listed relative to the folder', () => {
    load(corpus('corkscrew__archive1__bigip_base.conf'));
    load(corpus('corkscrew__archive1__partitions_foo.a_1-c__bigip.conf'));
    expect(t.run('list auth partition foo.a_1-c')).toBe('auth partition foo.a_1-c { }\n');
    expect(t.run('list sys folder /foo/defaultsUDP_5555')).toContain('sys folder /foo/defaultsUDP_5555 {\n');
    t.run('cd /foo.a_1-c');
    expect(t.session.folder).toBe('/foo.a_1-c');
    expect(t.run('list ltm virtual').match(/^ltm virtual \S+/gm)).toEqual(['ltm virtual barSpec.b-443_vs', 'ltm virtual barSpec.b-80_vs']);
    expect(t.fail('cd /nowhere').toString()).toBe('01020036:3: The requested folder (/nowhere) was not found.');
  });

  it('a partition file whose bigip_base.conf is not there: its folders are created, and the load says so', () => {
    const out = t.run(`load sys config merge file ${corpus('corkscrew__archive1__partitions_hue-infra__bigip.conf')}`);
    expect(out).toMatch(/Created 2 partitions and folders the file's objects need and it does not define: auth partition hue-infra, sys folder \/hue-infra\/hue-up\./);
    expect(out).toContain('Not served: 2 virtual servers are kept but get no listener:');
  });
});

/** The member states the data plane would report, so `list` prints `state up` / `state down` as the capture does. */
function reportMembers(states: Array<{ pool: string; member: string; up: boolean }>): void {
  const zero = { curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 };
  t.store.writeStatus({
    generation: t.store.generation(),
    at: Date.now(),
    virtuals: [],
    members: states.map((s) => ({
      pool: s.pool, member: s.member, availability: s.up ? 'available' : 'offline', monitorStatus: s.up ? 'up' : 'down', reason: '', stats: zero,
    })),
  });
}

describe("the corpus's list captures are reproduced by list", () => {
  const capture = (f: string) => fs.readFileSync(corpus(f), 'utf8');
  /** The capture's block for `header`, as tmsh printed it (trailing blanks trimmed: the capture kept tmsh's). */
  const block = (f: string, header: string) => {
    const b = topLevelBlocks(capture(f)).find((x) => x.startsWith(header));
    if (!b) throw new Error(`${header} not in ${f}`);
    return b.split('\n').map((l) => l.replace(/\s+$/, '')).join('\n') + '\n';
  };

  it('list ltm pool: members with their monitor states, min-active-members kept, a monitor rule of three', () => {
    const f = 'kylinsoong__list_ltm_pool.txt';
    load(corpus(f));
    reportMembers([
      { pool: '/Common/pool_NGinx', member: '/Common/192.168.6.11:80', up: true },
      { pool: '/Common/pool_NGinx', member: '/Common/192.168.80.40:8080', up: false },
    ]);
    expect(t.run('list ltm pool pool_NGinx')).toBe(block(f, 'ltm pool pool_NGinx {'));
  });

  it('list ltm node and ltm pool (a member on port any)', () => {
    const f = 'kylinsoong__list_pool_node_issue25.txt';
    load(corpus(f));
    reportMembers([{ pool: '/Common/gw_pool', member: '/Common/pool_gw_pool:0', up: true }]);
    expect(t.run('list ltm node pool_gw_pool')).toBe(block(f, 'ltm node pool_gw_pool {'));
    expect(t.run('list ltm pool gw_pool')).toBe(block(f, 'ltm pool gw_pool {'));
  });

  it('list ltm monitor: monitors openltm runs and ones it keeps as they came', () => {
    const f = 'kylinsoong__list_ltm_monitor.txt';
    // The monitors alone (the whole capture, with its bare `ltm node 10.10.10.1`, loads above).
    const monitors = topLevelBlocks(capture(f)).filter((b) => b.startsWith('ltm monitor '));
    const file = path.join(t.dir, 'monitors.conf');
    fs.writeFileSync(file, monitors.join('\n') + '\n');
    load(file);
    for (const b of monitors) {
      const header = /^(ltm monitor \S+ \S+)/.exec(b)![1];
      expect(t.run(`list ${header}`)).toBe(block(f, `${header} {`));
    }
  });

  it('list ltm virtual: with the objects it refers to, a virtual with fastL4 and an iRule is kept, listed as captured, not served', () => {
    const f = 'kylinsoong__list_ltm_virtual_vlans.txt';
    const text = capture(f);
    const file = path.join(t.dir, 'vlans.conf');
    // The capture lists the virtuals only: their iRules exist on that BIG-IP.
    const rules = [...text.matchAll(/^ {4}rules \{\n {8}(\S+)\n/gm)].map((m) => m[1]);
    expect(rules).toHaveLength(2);
    fs.writeFileSync(file, [...rules.map((r) => `ltm rule ${r} {\n}`), text].join('\n'));
    const out = t.run(`load sys config merge file ${file}`);
    expect(out).toContain('Not served: 2 virtual servers are kept but get no listener:');
    expect(out).toContain('/Common/MB_forwarding_vs: profile /Common/fastL4 is not supported: it is ltm profile fastl4 (a BIG-IP built-in), which openltm does not serve.');
    // The capture is from a tmsh that did not list these; openltm always lists them (the
    // times are set on load; ip-protocol is openltm's default, tcp, where that tmsh meant any).
    const alwaysListed = /^ {4}(creation-time|last-modified-time|ip-protocol) .*\n/gm;
    for (const b of topLevelBlocks(text).filter((x) => x.startsWith('ltm virtual '))) {
      const header = /^(ltm virtual \S+)/.exec(b)![1];
      const listed = t.run(`list ${header}`);
      expect(listed.match(alwaysListed)).toHaveLength(3);
      expect(listed.replace(alwaysListed, '')).toBe(block(f, `${header} {`));
    }
  });
});
