/**
 * Fragments of an estate (a partition's file without /Common's, a `list` capture of a live box,
 * BIG-IP's own /defaults): they load. A reference the file and the store do not resolve is kept
 * by name and its object is not acted on (nor what uses it) until the target exists; an object
 * incomplete on its own is kept, marked; typed commands stay BIG-IP-strict (01020036).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '@openltm/model';
import { NOT_SERVED_KEY, type LoadSummary } from '@openltm/store';
import { defaultPair, openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

function loadText(text: string, name = 'fragment.conf'): { output: string; summary: LoadSummary } {
  const file = path.join(t.dir, name);
  fs.writeFileSync(file, text);
  const r = t.store.execute(`load sys config merge file ${file}`, t.session);
  return { output: r.output, summary: r.data as LoadSummary };
}

const notServed = (type: string, name: string) => t.store.getEffective(type, name)?.properties[NOT_SERVED_KEY];

describe('a reference the file does not resolve', () => {
  const VIRTUAL = 'ltm virtual /Common/vs_x {\n    destination /Common/10.0.0.1:25\n    ip-protocol tcp\n    pool /Common/pool_used\n}\n';

  it('is kept by name: the load says so with BIG-IP\'s line, list shows it as it came, and the virtual is not served', () => {
    const { output, summary } = loadText(VIRTUAL);
    expect(output).toContain('Unresolved: 1 references to objects neither the file nor the configuration defines');
    expect(output).toContain('  01020036:3: The requested Pool (/Common/pool_used) was not found. Kept: ltm virtual /Common/vs_x (pool) is not acted on until it exists.\n');
    expect(summary.unresolved).toEqual([{ object: 'ltm virtual /Common/vs_x', via: 'pool', kind: 'Pool', path: '/Common/pool_used' }]);
    expect(t.run('list ltm virtual vs_x')).toContain('    pool pool_used\n');
    expect(t.run('show ltm virtual vs_x')).toMatch(/Reason +: Not served by openltm \(no listener\): pool \/Common\/pool_used: the requested Pool \(\/Common\/pool_used\) was not found/);
    // The store's bookkeeping for it is neither listed nor saved.
    const saved = path.join(t.dir, 'saved.conf');
    t.run(`save sys config file ${saved}`);
    expect(fs.readFileSync(saved, 'utf8')).not.toContain('unresolved');
    expect(t.run('list ltm pool')).toBe('');
  });

  it('resolves when the object is created later: the virtual is served, and the pool is then in use', () => {
    loadText(VIRTUAL);
    expect(notServed('ltm virtual', 'vs_x')).toBeDefined();
    t.run('create ltm pool pool_used members add { 127.0.0.1:2525 }');
    expect(notServed('ltm virtual', 'vs_x')).toBeUndefined();
    expect(t.run('show ltm virtual vs_x')).not.toContain('Not served');
    expect(t.fail('delete ltm pool pool_used').toString()).toBe('01070265:3: The Pool (/Common/pool_used) cannot be deleted because it is in use by a Virtual Server (/Common/vs_x).');
    // A second file naming it now resolves against the store: nothing is unresolved.
    const { summary } = loadText('ltm virtual /Common/vs_y {\n    destination /Common/10.0.0.2:25\n    pool /Common/pool_used\n}\n', 'second.conf');
    expect(summary.unresolved).toEqual([]);
    expect(notServed('ltm virtual', 'vs_y')).toBeUndefined();
  });

  it('the wrong kind of object under that name does not resolve it', () => {
    loadText(VIRTUAL);
    t.run('create ltm monitor tcp pool_used');
    expect(notServed('ltm virtual', 'vs_x')).toBeDefined();
    t.run('delete ltm monitor tcp pool_used');
    t.run('create ltm pool pool_used');
    expect(notServed('ltm virtual', 'vs_x')).toBeUndefined();
  });

  it('typed commands stay strict: create and modify naming a missing object are refused with 01020036', () => {
    loadText(VIRTUAL);
    expect(t.fail('create ltm virtual vs_z destination 10.0.0.3:25 pool /Common/pool_used').toString()).toBe('01020036:3: The requested Pool (/Common/pool_used) was not found.');
    // A modify of the fragment's virtual checks only the references it changes.
    t.run('modify ltm virtual vs_x description "kept from a fragment"');
    expect(t.run('list ltm virtual vs_x')).toContain('    description "kept from a fragment"\n');
    expect(notServed('ltm virtual', 'vs_x')).toBeDefined();
    expect(t.fail('modify ltm virtual vs_x pool /Common/other_missing').toString()).toBe('01020036:3: The requested Pool (/Common/other_missing) was not found.');
    // In a cli transaction and a script too.
    expect(t.fail('create ltm pool p2 monitor /Common/no_monitor').toString()).toBe('01020036:3: The requested Monitor (/Common/no_monitor) was not found.');
    expect(() => t.store.executeScript('create ltm pool p3 monitor /Common/no_monitor\n', t.session)).toThrow(expect.objectContaining({ code: ErrorCodes.NOT_FOUND, message: 'The requested Monitor (/Common/no_monitor) was not found.' }));
    expect(t.store.names('ltm pool')).toEqual([]);
  });

  it('deleting the object that waited leaves nothing behind: the name can be created and deleted freely', () => {
    loadText(VIRTUAL);
    t.run('delete ltm virtual vs_x');
    t.run('create ltm pool pool_used');
    t.run('delete ltm pool pool_used');
    expect(t.run('list ltm pool')).toBe('');
  });

  it('a full load starts again: nothing waits from the previous configuration', () => {
    loadText(VIRTUAL);
    const clean = path.join(t.dir, 'clean.conf');
    fs.writeFileSync(clean, 'ltm pool /Common/other { }\n');
    t.run(`load sys config file ${clean}`);
    t.run('create ltm pool pool_used');
    t.run('delete ltm pool pool_used');
    expect(t.store.names('ltm virtual')).toEqual([]);
  });
});

describe('what depends on an unresolved reference is not acted on', () => {
  it('a pool whose monitor is nowhere is not served, nor its virtuals; creating the monitor serves both', () => {
    const { output } = loadText([
      'ltm pool /Common/p {\n    members { /Common/127.0.0.1:2525 { address 127.0.0.1 } }\n    monitor /Common/SOME_MONITOR\n}',
      'ltm virtual /Common/v {\n    destination /Common/10.0.0.1:25\n    pool /Common/p\n}',
      '',
    ].join('\n'));
    expect(output).toContain('  01020036:3: The requested Monitor (/Common/SOME_MONITOR) was not found. Kept: ltm pool /Common/p (monitor) is not acted on until it exists.\n');
    expect(output).toContain('  /Common/p: the requested Monitor (/Common/SOME_MONITOR) was not found\n');
    expect(t.run('show ltm pool p')).toMatch(/Availability +: offline\n.*\n +Reason +: Not served by openltm \(no data-plane pool\): the requested Monitor \(\/Common\/SOME_MONITOR\) was not found/);
    expect(t.run('show ltm virtual v')).toContain('Pool (/Common/p) is not acted on: the requested Monitor (/Common/SOME_MONITOR) was not found');
    t.run('create ltm monitor tcp SOME_MONITOR');
    expect(notServed('ltm pool', 'p')).toBeUndefined();
    expect(notServed('ltm virtual', 'v')).toBeUndefined();
    expect(t.fail('delete ltm monitor tcp SOME_MONITOR').code).toBe(ErrorCodes.MONITOR_IN_USE);
  });

  it('a snat pool without members loads incomplete; the virtual using it is served once it has members', () => {
    const { output, summary } = loadText([
      'ltm snatpool /Common/sp { }',
      'ltm virtual /Common/v {\n    destination /Common/10.0.0.1:25\n    source-address-translation {\n        pool /Common/sp\n        type snat\n    }\n}',
      '',
    ].join('\n'));
    expect(output).toContain('  01070734:3: Configuration error: "members" is required to create a SNAT Pool. Kept: ltm snatpool /Common/sp is not acted on until it is set.\n');
    expect(summary.incomplete).toEqual([{ object: 'ltm snatpool /Common/sp', reason: '"members" is required to create a SNAT Pool.' }]);
    expect(t.run('list ltm snatpool sp')).toBe('ltm snatpool sp { }\n');
    expect(t.run('show ltm virtual v')).toContain('SNAT Pool (/Common/sp) is not acted on: "members" is required to create a SNAT Pool.');
    // Typed, the same object is refused as on BIG-IP.
    expect(t.fail('create ltm snatpool sp2').toString()).toBe('01070734:3: Configuration error: "members" is required to create a SNAT Pool.');
    t.run('modify ltm snatpool sp members add { 127.0.0.1 }');
    expect(notServed('ltm virtual', 'v')).toBeUndefined();
  });

  it('a client-ssl profile with a setting openltm refuses is kept from a file; its virtuals are served once it is changed', () => {
    const { output } = loadText([
      'ltm profile client-ssl /Common/cs {\n    defaults-from /Common/clientssl\n    renegotiation enabled\n}',
      'ltm virtual /Common/v {\n    destination /Common/10.0.0.1:25\n    profiles {\n        /Common/cs { context clientside }\n        /Common/smtps { }\n        /Common/tcp { }\n    }\n}',
      '',
    ].join('\n'));
    expect(output).toContain('  ltm profile client-ssl /Common/cs: renegotiation enabled is not supported;');
    expect(t.run('show ltm virtual v')).toContain('ClientSSL Profile (/Common/cs) is not acted on: renegotiation enabled is not supported');
    // Typed, it is refused.
    expect(t.fail('create ltm profile client-ssl cs2 renegotiation enabled').message).toMatch(/renegotiation enabled is not supported/);
    t.run('modify ltm profile client-ssl cs renegotiation disabled');
    expect(notServed('ltm profile client-ssl', 'cs')).toBeUndefined();
    expect(notServed('ltm virtual', 'v')).toBeUndefined();
  });
});

describe("BIG-IP's own files (/defaults: system-path only)", () => {
  it('are kept without content, never read from this host; a profile using one leaves its virtuals not served', () => {
    // A readable PEM at that path: openltm still does not read it into the store.
    const pemPath = path.join(t.dir, 'ca-bundle.crt');
    fs.writeFileSync(pemPath, defaultPair().cert);
    const { output, summary } = loadText([
      `sys file ssl-cert /Common/ca-bundle.crt {\n    system-path "${pemPath}"\n}`,
      'ltm profile client-ssl /Common/cs {\n    ca-file /Common/ca-bundle.crt\n    cert-key-chain { default { cert /Common/ca-bundle.crt key /Common/default.key } }\n}',
      'ltm virtual /Common/v {\n    destination /Common/10.0.0.1:25\n    profiles {\n        /Common/cs { context clientside }\n        /Common/smtps { }\n        /Common/tcp { }\n    }\n}',
      '',
    ].join('\n'));
    expect(summary.missingFiles).toEqual([{ name: 'sys file ssl-cert /Common/ca-bundle.crt', reason: `content not on this host: /Common/ca-bundle.crt is BIG-IP's own file (system-path ${pemPath}), which openltm does not read` }]);
    expect(output).toContain('Kept without their PEM');
    expect(t.store.pem('sys file ssl-cert', '/Common/ca-bundle.crt')).toBeUndefined();
    expect(t.run('list sys file ssl-cert ca-bundle.crt')).toContain(`    system-path "${pemPath}"\n`);
    expect(t.run('show ltm virtual v')).toContain('profile /Common/cs is not supported: sys file ssl-cert /Common/ca-bundle.crt has no PEM: content not on this host');
    // Typed, a certificate without source-path is refused as on BIG-IP.
    expect(t.fail('create sys file ssl-cert other.crt').toString()).toBe('01070734:3: Configuration error: "source-path" is required to create a Certificate.');
  });
});

describe('the corkscrew archive out of UCS order', () => {
  const corpus = (f: string) => path.join(__dirname, '../../parser/test/fixtures/corpus', `corkscrew__archive1__${f}`);

  it('a partition file loaded before /Common\'s waits for its SNAT pool, and is served once /Common\'s file defines it', () => {
    const first = t.store.execute(`load sys config merge file ${corpus('partitions_foo__bigip.conf')}`, t.session).data as LoadSummary;
    expect(first.unresolved).toEqual([{ object: 'ltm virtual /foo/t1.lab.io_80vs', via: 'source-address-translation pool', kind: 'SNAT Pool', path: '/Common/testSnat1_pool' }]);
    expect(notServed('ltm virtual', '/foo/t1.lab.io_80vs')).toBeDefined();
    t.run(`load sys config merge file ${corpus('bigip_base.conf')}`);
    const second = t.store.execute(`load sys config merge file ${corpus('bigip.conf')}`, t.session).data as LoadSummary;
    expect(second.unresolved.map((u) => u.path)).toEqual(['/Common/ASM_basic_policy_1']);
    expect(notServed('ltm virtual', '/foo/t1.lab.io_80vs')).toBeUndefined();
    expect(t.fail('delete ltm snatpool testSnat1_pool').code).toBe(ErrorCodes.IN_USE);
  });
});

describe('a monitor kept from a file with a setting openltm refuses', () => {
  it('leaves the pools using it not served; a typed pool naming it is refused; fixing the monitor serves them', () => {
    const { output } = loadText([
      'ltm monitor tcp /Common/adaptive_mon {\n    adaptive enabled\n    defaults-from /Common/tcp\n}',
      'ltm pool /Common/p {\n    members { /Common/127.0.0.1:2525 { address 127.0.0.1 } }\n    monitor /Common/adaptive_mon\n}',
      '',
    ].join('\n'));
    expect(output).toContain('  ltm monitor tcp /Common/adaptive_mon: adaptive mode is not supported: openltm does not track probe latency');
    expect(output).toContain('  /Common/p: Monitor (/Common/adaptive_mon) is not acted on: adaptive mode is not supported');
    expect(t.fail('create ltm pool p2 monitor adaptive_mon').toString()).toMatch(/^01070734:3: Configuration error: Pool \(\/Common\/p2\): Monitor \(\/Common\/adaptive_mon\) is not acted on: adaptive mode is not supported/);
    t.run('modify ltm monitor tcp adaptive_mon adaptive disabled');
    expect(notServed('ltm monitor tcp', 'adaptive_mon')).toBeUndefined();
    expect(notServed('ltm pool', 'p')).toBeUndefined();
    t.run('create ltm pool p2 monitor adaptive_mon');
  });
});
