/**
 * The iControl REST resources over real HTTPS on a real store: every write is a tmsh statement
 * run by the store's executor, so names, values and errors are tmsh's; an error changes nothing.
 */
import { createHash } from 'node:crypto';
import { startApiFixture, type ApiFixture } from './helpers/api-fixture';
import { makeSelfSignedCert, type TestCertificate } from '../../../test/support/certs';

jest.setTimeout(60_000);

let fx: ApiFixture;
let cert: TestCertificate;

beforeAll(async () => {
  fx = await startApiFixture();
  cert = await makeSelfSignedCert({ commonName: 'mail.example.test', keyType: 'ec' });
});
afterAll(async () => {
  await fx?.close();
  cert?.remove();
});

/** The whole configuration as tmsh lists it: what "nothing changed" is checked against. */
const config = () => fx.store.execute('list ltm').output;

test('create, read (camelCase, kind, selfLink, fullPath), modify and delete a pool with members', async () => {
  const created = await fx.call('POST', '/mgmt/tm/ltm/pool', {
    body: { name: 'web', partition: 'Common', loadBalancingMode: 'ratio-member', slowRampTime: 30, members: [{ name: '10.1.0.1:25', address: '10.1.0.1', ratio: 3 }] },
  });
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({
    kind: 'tm:ltm:pool:poolstate', name: 'web', partition: 'Common', fullPath: '/Common/web',
    selfLink: 'https://localhost/mgmt/tm/ltm/pool/~Common~web?ver=14.1.2', loadBalancingMode: 'ratio-member', slowRampTime: 30,
    membersReference: { isSubcollection: true },
  });
  expect(fx.store.execute('list ltm pool web').output).toContain('load-balancing-mode ratio-member');

  const expanded = await fx.call('GET', '/mgmt/tm/ltm/pool/~Common~web?expandSubcollections=true');
  expect(expanded.body.membersReference.items).toEqual([expect.objectContaining({ name: '10.1.0.1:25', fullPath: '/Common/10.1.0.1:25', address: '10.1.0.1', ratio: 3 })]);

  const added = await fx.call('POST', '/mgmt/tm/ltm/pool/~Common~web/members', { body: { name: '10.1.0.2:25', partition: 'Common', address: '10.1.0.2' } });
  expect(added.body).toMatchObject({ kind: 'tm:ltm:pool:members:membersstate', fullPath: '/Common/10.1.0.2:25' });
  const down = await fx.call('PATCH', '/mgmt/tm/ltm/pool/~Common~web/members/~Common~10.1.0.2:25', { body: { session: 'user-disabled', state: 'user-down' } });
  expect(down.body).toMatchObject({ session: 'user-disabled', state: 'user-down' });
  expect(fx.store.execute('list ltm pool web members').output).toMatch(/10\.1\.0\.2:smtp \{\s+address 10\.1\.0\.2\s+session user-disabled\s+state user-down/);

  const members = await fx.call('GET', '/mgmt/tm/ltm/pool/~Common~web/members?$select=name');
  expect(members.body.items).toEqual([{ name: '10.1.0.1:25' }, { name: '10.1.0.2:25' }]);
  expect((await fx.call('DELETE', '/mgmt/tm/ltm/pool/~Common~web/members/~Common~10.1.0.1:25')).status).toBe(200);
  expect(fx.store.execute('list ltm pool web members').output).not.toContain('10.1.0.1:');

  expect((await fx.call('PATCH', '/mgmt/tm/ltm/pool/web', { body: { description: 'mail relays' } })).body.description).toBe('mail relays');
  expect((await fx.call('DELETE', '/mgmt/tm/ltm/pool/~Common~web')).status).toBe(200);
  expect(fx.store.getEffective('ltm pool', 'web')).toBeUndefined();
  expect((await fx.call('GET', '/mgmt/tm/ltm/pool/~Common~web')).status).toBe(404);
});

test('schema names camelCased as iControl REST does: defaultsFrom, activationMode, tmOptions, flags as booleans', async () => {
  const smtps = await fx.call('POST', '/mgmt/tm/ltm/profile/smtps', { body: { name: 'st_allow', defaultsFrom: '/Common/smtps', activationMode: 'allow' } });
  expect(smtps.body).toMatchObject({ kind: 'tm:ltm:profile:smtps:smtpsstate', defaultsFrom: '/Common/smtps', activationMode: 'allow' });
  const cssl = await fx.call('GET', '/mgmt/tm/ltm/profile/client-ssl/~Common~clientssl');
  expect(cssl.body.tmOptions).toEqual(expect.arrayContaining(['no-tlsv1', 'no-tlsv1.1']));
  expect(cssl.body.certKeyChain).toEqual([expect.objectContaining({ name: 'default', cert: '/Common/default.crt', key: '/Common/default.key' })]);
  expect(cssl.body.handshakeTimeout).toBe(10);
  const vs = await fx.call('POST', '/mgmt/tm/ltm/virtual', {
    body: { name: 'vs_flags', destination: '/Common/10.9.0.1:25', ipProtocol: 'tcp', disabled: true, profiles: [{ name: 'tcp' }, { name: 'st_allow' }, { name: 'clientssl', context: 'clientside' }] },
  });
  expect([vs.status, vs.body.message]).toEqual([200, undefined]);
  expect(vs.body.disabled).toBe(true);
  expect(fx.store.execute('list ltm virtual vs_flags').output).toMatch(/\n    disabled\n/);
  expect((await fx.call('PATCH', '/mgmt/tm/ltm/virtual/vs_flags', { body: { enabled: true } })).body.enabled).toBe(true);
  const profiles = await fx.call('GET', '/mgmt/tm/ltm/virtual/~Common~vs_flags/profiles');
  expect(profiles.body.items.map((p: { fullPath: string }) => p.fullPath).sort()).toEqual(['/Common/clientssl', '/Common/st_allow', '/Common/tcp']);
  await fx.call('DELETE', '/mgmt/tm/ltm/virtual/vs_flags');
  await fx.call('DELETE', '/mgmt/tm/ltm/profile/smtps/st_allow');
});

test('a stored-only setting is accepted with tmsh\'s warning in an X-Openltm-Warning header; an ordinary one has none', async () => {
  await fx.call('POST', '/mgmt/tm/ltm/pool', { body: { name: 'warn_pool' } });
  const r = await fx.call('PATCH', '/mgmt/tm/ltm/pool/warn_pool', { body: { minUpMembers: 2 } });
  expect(r.status).toBe(200);
  expect(r.body.minUpMembers).toBe(2);
  expect(r.headers['x-openltm-warning']).toBe(String(tmshWarning('modify ltm pool warn_pool min-up-members 3')));
  expect((await fx.call('PATCH', '/mgmt/tm/ltm/pool/warn_pool', { body: { description: 'plain' } })).headers['x-openltm-warning']).toBeUndefined();
  await fx.call('DELETE', '/mgmt/tm/ltm/pool/warn_pool');
});

/** The warning tmsh gives for a change (the change is made). */
function tmshWarning(line: string): string {
  return String(fx.store.execute(line).warnings?.[0]);
}

test('collections: $select and $filter by partition', async () => {
  const all = await fx.call('GET', "/mgmt/tm/ltm/monitor/smtp?$select=name,fullPath&$filter=partition%20eq%20Common");
  expect(all.body.items).toEqual([{ name: 'smtp', fullPath: '/Common/smtp' }]);
  expect((await fx.call('GET', '/mgmt/tm/ltm/monitor/smtp?$filter=partition%20eq%20Other')).body.items).toEqual([]);
  expect((await fx.call('GET', '/mgmt/tm/ltm/monitor/smtp?$filter=name%20eq%20x')).status).toBe(400);
});

describe('bad input gets a BIG-IP error with the right status, and nothing changes', () => {
  let before: string;
  let generation: number;
  beforeAll(async () => {
    await fx.call('POST', '/mgmt/tm/ltm/pool', { body: { name: 'keep', members: [{ name: '10.2.0.1:25', address: '10.2.0.1' }] } });
    before = config();
    generation = fx.store.generation();
  });
  afterEach(() => {
    expect(config()).toBe(before);
    expect(fx.store.generation()).toBe(generation);
  });

  test('unknown property: 400 with tmsh\'s syntax error', async () => {
    const r = await fx.call('PATCH', '/mgmt/tm/ltm/pool/keep', { body: { description: 'x', fooBar: 1 } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: 400, message: 'Syntax Error: "foo-bar" unknown property', errorStack: [], apiError: 3 });
  });

  test('wrong type: 400 with the 01070712 message tmsh prints', async () => {
    const r = await fx.call('PATCH', '/mgmt/tm/ltm/pool/keep', { body: { slowRampTime: 'soon' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(String(tmshError('modify ltm pool keep slow-ramp-time soon')));
    expect((await fx.call('PATCH', '/mgmt/tm/ltm/pool/keep', { body: { description: { nested: 1 } } })).body.message).toMatch(/^01070712:3: Invalid value/);
  });

  test('missing reference: 400 with 01020036, as tmsh', async () => {
    const r = await fx.call('PATCH', '/mgmt/tm/ltm/pool/keep', { body: { monitor: '/Common/no_such_monitor' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(String(tmshError('modify ltm pool keep monitor no_such_monitor')));
  });

  test('missing object in the URL: 404; existing name on create: 409', async () => {
    expect((await fx.call('PATCH', '/mgmt/tm/ltm/pool/~Common~nope', { body: { description: 'x' } })).status).toBe(404);
    expect((await fx.call('DELETE', '/mgmt/tm/ltm/pool/~Common~keep/members/~Common~10.9.9.9:25')).status).toBe(404);
    const dup = await fx.call('POST', '/mgmt/tm/ltm/pool', { body: { name: 'keep' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('01020066:3: The requested Pool (/Common/keep) already exists in partition Common.');
  });

  test('bad JSON: 400', async () => {
    const r = await fx.call('POST', '/mgmt/tm/ltm/pool', { raw: '{"name": "half' });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('Found invalid JSON body in the request.');
  });

  test('wrong method: 405', async () => {
    expect((await fx.call('DELETE', '/mgmt/tm/ltm/pool')).status).toBe(405);
    expect((await fx.call('POST', '/mgmt/tm/ltm/pool/keep', { body: {} })).status).toBe(405);
    expect((await fx.call('GET', '/mgmt/shared/authn/login')).status).toBe(405);
  });

  test('a value cannot smuggle a second statement; names must be names', async () => {
    const r = await fx.call('POST', '/mgmt/tm/ltm/pool', { body: { name: 'p; delete ltm pool all', description: 'x' } });
    expect(r.status).toBe(400);
    const m = await fx.call('PATCH', '/mgmt/tm/ltm/pool/keep', { body: { monitor: 'smtp; delete ltm pool all' } });
    expect(m.status).toBe(400);
    // A monitor rule cannot close the block it sits in (here a member's) and set the pool's properties.
    const before = config();
    const closing = await fx.call('PATCH', '/mgmt/tm/ltm/pool/keep', {
      body: { members: [{ name: '10.1.0.1:25', address: '10.1.0.1', monitor: '/Common/smtp } } description evil members { 10.1.0.3:25 { address 10.1.0.3' }] },
    });
    expect(closing.status).toBe(400);
    expect(closing.body.message).toContain('expected a monitor rule');
    expect(config()).toBe(before);
    // The rule's own braces still work, spaced or not.
    const minOf = await fx.call('POST', '/mgmt/tm/ltm/pool', { body: { name: 'min_of', monitor: 'min 1 of {/Common/smtp /Common/tcp}' } });
    expect(minOf.status).toBe(200);
    expect(fx.store.execute('list ltm pool min_of monitor').output).toMatch(/monitor min 1 of \{ \S*smtp \S*tcp \}/);
    fx.store.execute('delete ltm pool min_of');
    // Names in the URL go into statements too, even inside a transaction (where nothing is looked up first).
    const tx = (await fx.call('POST', '/mgmt/tm/transaction', { body: {} })).body.transId;
    const injected = await fx.call('PATCH', `/mgmt/tm/ltm/pool/${encodeURIComponent('~Common~keep members delete { all }')}`, { body: { description: 'x' }, headers: { 'X-F5-REST-Coordination-Id': String(tx) } });
    expect(injected.status).toBe(400);
    expect(injected.body.message).toContain('Invalid object name');
    await fx.call('DELETE', `/mgmt/tm/transaction/${tx}`);
    // A description full of tmsh syntax is stored as text (and then this test restores it).
    const text = 'a" } ; delete ltm pool keep ; { "\nnext';
    const d = await fx.call('PATCH', '/mgmt/tm/ltm/pool/keep', { body: { description: text } });
    expect(d.body.description).toBe('a\\" } ; delete ltm pool keep ; { \\"\\nnext');
    expect(fx.store.getEffective('ltm pool', 'keep')).toBeDefined();
    fx.store.execute('modify ltm pool keep description none');
    generation = fx.store.generation();
  });

  test('a body over 8 MiB: 413', async () => {
    const r = await fx.call('POST', '/mgmt/tm/ltm/pool', { raw: Buffer.alloc(9 * 1024 * 1024, 0x20) });
    expect(r.status).toBe(413);
    expect(r.body.message).toBe('The request body is larger than 8388608 bytes.');
  });

  test('a sourcePath outside the upload area is refused', async () => {
    const r = await fx.call('POST', '/mgmt/tm/sys/file/ssl-cert', { body: { name: 'stolen.crt', sourcePath: 'file:/etc/passwd' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('/mgmt/shared/file-transfer/uploads');
  });
});

/** The error tmsh gives for the same change. */
function tmshError(line: string): unknown {
  try {
    fx.store.execute(line);
  } catch (err) {
    return err;
  }
  throw new Error(`"${line}" did not fail`);
}

test('transactions: queued with X-F5-REST-Coordination-Id, applied together on commit, or not at all', async () => {
  const open = async () => (await fx.call('POST', '/mgmt/tm/transaction', { body: {} })).body.transId as number;
  const bad = await open();
  const h = (id: number) => ({ headers: { 'X-F5-REST-Coordination-Id': String(id) } });
  expect((await fx.call('POST', '/mgmt/tm/ltm/monitor/smtp', { body: { name: 'tx_mon', domain: 'tx.test' }, ...h(bad) })).status).toBe(200);
  await fx.call('POST', '/mgmt/tm/ltm/pool', { body: { name: 'tx_pool', monitor: '/Common/tx_missing' }, ...h(bad) });
  expect(fx.store.getEffective('ltm monitor smtp', 'tx_mon')).toBeUndefined();
  expect((await fx.call('GET', `/mgmt/tm/transaction/${bad}/commands`)).body.items).toHaveLength(2);
  const failed = await fx.call('PATCH', `/mgmt/tm/transaction/${bad}`, { body: { state: 'VALIDATING' } });
  expect(failed.status).toBe(400);
  expect(failed.body.message).toContain('/Common/tx_missing');
  expect(fx.store.getEffective('ltm monitor smtp', 'tx_mon')).toBeUndefined();

  const good = await open();
  await fx.call('POST', '/mgmt/tm/ltm/monitor/smtp', { body: { name: 'tx_mon', domain: 'tx.test' }, ...h(good) });
  await fx.call('POST', '/mgmt/tm/ltm/pool', { body: { name: 'tx_pool', monitor: '/Common/tx_mon' }, ...h(good) });
  const done = await fx.call('PATCH', `/mgmt/tm/transaction/${good}`, { body: { state: 'VALIDATING' } });
  expect(done.body).toMatchObject({ transId: good, state: 'COMPLETED' });
  expect(fx.store.getEffective('ltm pool', 'tx_pool')?.properties.monitor).toBe('/Common/tx_mon');
});

test('certificate and key: uploaded in Content-Range chunks, imported by sourcePath, the upload removed by unix-rm', async () => {
  const pem = Buffer.from(cert.certPem);
  const half = Math.floor(pem.length / 2);
  const up = (from: number, to: number) =>
    fx.call('POST', '/mgmt/shared/file-transfer/uploads/mail.crt', { raw: pem.subarray(from, to), headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${from}-${to - 1}/${pem.length}` } });
  expect((await up(0, half)).body.remainingByteCount).toBe(pem.length - half);
  expect((await up(half, pem.length)).body.remainingByteCount).toBe(0);
  const created = await fx.call('POST', '/mgmt/tm/sys/file/ssl-cert', { body: { name: 'mail.crt', partition: 'Common', sourcePath: 'file:/var/config/rest/downloads/mail.crt' } });
  expect(created.status).toBe(200);
  expect(created.body.subject).toContain('CN=mail.example.test');
  // What clients compare to decide whether to upload again: the path as they wrote it, the file's SHA-1.
  expect(created.body.sourcePath).toBe('file:///var/config/rest/downloads/mail.crt');
  expect(created.body.checksum).toBe(`SHA1:${pem.length}:${createHash('sha1').update(pem).digest('hex')}`);
  expect((await fx.call('POST', '/mgmt/tm/util/unix-rm', { body: { command: 'run', utilCmdArgs: '/var/config/rest/downloads/mail.crt' } })).status).toBe(200);
  const again = await fx.call('POST', '/mgmt/tm/sys/file/ssl-cert', { body: { name: 'again.crt', sourcePath: 'file:/var/config/rest/downloads/mail.crt' } });
  expect(again.status).toBe(400);
  expect((await fx.call('POST', '/mgmt/tm/util/unix-rm', { body: { command: 'run', utilCmdArgs: '/etc/hostname' } })).status).toBe(400);
});

test('the version probes clients make under /mgmt/tm/sys', async () => {
  expect((await fx.call('GET', '/mgmt/tm/sys/')).body.selfLink).toBe('https://localhost/mgmt/tm/sys?ver=14.1.2');
  const v = await fx.call('GET', '/mgmt/tm/sys/version');
  expect(v.body.entries['https://localhost/mgmt/tm/sys/version/0'].nestedStats.entries.Version.description).toBe('14.1.2');
  const prov = await fx.call('GET', '/mgmt/tm/sys/provision');
  expect(prov.body.items.filter((i: { level: string }) => i.level !== 'none').map((i: { name: string }) => i.name)).toEqual(['ltm']);
});
