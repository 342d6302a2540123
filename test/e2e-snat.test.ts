/**
 * source-address-translation end to end: the real daemon configured with the real tmsh, a real
 * Postfix as the member, swaks as the client. Postfix's own log is the witness of the address
 * the proxy's member connections came from.
 */
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { swaks } from './support/swaks';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
const ports = { snat: 0, automap: 0 };

beforeAll(async () => {
  postfix = await startPostfix();
  ltm = createOpenltm();
  ports.snat = await freePort();
  ports.automap = await freePort();
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm snatpool sp members { 127.0.0.7 127.0.0.8 }');
  await ltm.tmshOk(`create ltm virtual vs_snat destination 127.0.0.1:${ports.snat} pool p_pf source-address-translation { type snat pool sp }`);
  await ltm.tmshOk(`create ltm virtual vs_automap destination 127.0.0.9:${ports.automap} pool p_pf source-address-translation { type automap }`);
  // A snat pool's turn is kept per worker (as per TMM), and the kernel decides which worker
  // accepts a connection: one worker makes the turn the daemon's, so the order can be asserted.
  await ltm.startDaemon(['--workers', '1']);
  await waitForListen(ports.snat, { timeoutMs: 10_000 });
  await waitForListen(ports.automap, { host: '127.0.0.9', timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await postfix?.stop();
});

const connectsFrom = (addr: string) => postfix.maillog().split(`: connect from unknown[${addr}]`).length - 1;

it('snat pool: Postfix sees the pool\'s addresses in turn, never 127.0.0.1', async () => {
  const before = { a: connectsFrom('127.0.0.7'), b: connectsFrom('127.0.0.8'), lo: connectsFrom('127.0.0.1') };
  for (let i = 0; i < 4; i++) expect((await swaks({ port: ports.snat, subject: `snat ${i}` })).code).toBe(0);
  expect([connectsFrom('127.0.0.7') - before.a, connectsFrom('127.0.0.8') - before.b]).toEqual([2, 2]);
  expect(connectsFrom('127.0.0.1')).toBe(before.lo);
});

it('the pool\'s members are SNAT translations: one disabled is skipped, and enabled again it is used', async () => {
  expect(await ltm.tmshOk('list ltm snat-translation 127.0.0.8')).toBe('ltm snat-translation 127.0.0.8 {\n    address 127.0.0.8\n}\n');
  await ltm.tmshOk('modify ltm snat-translation 127.0.0.8 disabled');
  // The daemon picks the change up on its next read of the store: wait until a session shows it.
  await eventually(async () => {
    const before = connectsFrom('127.0.0.7');
    await swaks({ port: ports.snat, subject: 'probe' });
    await swaks({ port: ports.snat, subject: 'probe' });
    return connectsFrom('127.0.0.7') - before;
  }, (n) => n === 2, 10_000, 100);
  const before = { a: connectsFrom('127.0.0.7'), b: connectsFrom('127.0.0.8') };
  for (let i = 0; i < 3; i++) expect((await swaks({ port: ports.snat, subject: `disabled ${i}` })).code).toBe(0);
  expect([connectsFrom('127.0.0.7') - before.a, connectsFrom('127.0.0.8') - before.b]).toEqual([3, 0]);
  await ltm.tmshOk('modify ltm snat-translation 127.0.0.8 enabled');
  await eventually(async () => {
    const b = connectsFrom('127.0.0.8');
    await swaks({ port: ports.snat, subject: 'probe' });
    await swaks({ port: ports.snat, subject: 'probe' });
    return connectsFrom('127.0.0.8') - b;
  }, (n) => n === 1, 10_000, 100);
});

it('automap: Postfix sees the virtual\'s own address', async () => {
  const before = connectsFrom('127.0.0.9');
  expect((await swaks({ port: ports.automap, host: '127.0.0.9', subject: 'automap' })).code).toBe(0);
  expect(connectsFrom('127.0.0.9')).toBe(before + 1);
});

it('the settings are listed; what openltm cannot honour is refused and changes nothing', async () => {
  expect(await ltm.tmshOk('list ltm snatpool sp')).toMatch(/members \{\s*127\.0\.0\.7\s+127\.0\.0\.8\s*\}/);
  expect(await ltm.tmshOk('list ltm virtual vs_snat source-address-translation')).toMatch(/pool sp\s+type snat/);
  const lsn = await ltm.tmsh('modify ltm virtual vs_snat source-address-translation { type lsn }');
  expect(lsn.code).not.toBe(0);
  expect(lsn.stderr).toMatch(/lsn/);
  const noPool = await ltm.tmsh(`create ltm virtual vs_bad destination 127.0.0.1:${await freePort()} pool p_pf source-address-translation { type snat }`);
  expect(noPool.code).not.toBe(0);
  expect(noPool.stderr).toMatch(/snatpool|pool/);
  const rd = await ltm.tmsh('create ltm snatpool sp_rd members { 127.0.0.7%1 }');
  expect(rd.code).not.toBe(0);
  expect(rd.stderr).toMatch(/route domain/);
  const inUse = await ltm.tmsh('delete ltm snatpool sp');
  expect(inUse.code).not.toBe(0);
  expect(inUse.stderr).toMatch(/in use by a Virtual Server/);
  const missing = await ltm.tmsh('modify ltm virtual vs_snat source-address-translation { type snat pool nosuch }');
  expect(missing.code).not.toBe(0);
  expect(await ltm.tmshOk('list ltm virtual vs_snat source-address-translation')).toMatch(/pool sp\s+type snat/);
});
