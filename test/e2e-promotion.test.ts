/**
 * A store an older openltm wrote, with the SNAT objects and a virtual's source-address-translation
 * kept as they came (it did not model them), run by this build: the records become first-class
 * when the store opens and take effect over real sockets (Postfix's log witnesses the SNAT
 * address); a record that does not validate stays stored only, and the daemon's log says why.
 */
import type { StoredValue } from '@openltm/store';
import { PRESERVED_KEY } from '@openltm/store';
// The repository seam, to write records the way the older build did.
import { SqliteBackend } from '../packages/store/src/sqlite-backend';
import { createOpenltm, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { swaks } from './support/swaks';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
let port = 0;

const verbatim = (...lines: unknown[][]) => ({ [PRESERVED_KEY]: lines as unknown as StoredValue });

beforeAll(async () => {
  postfix = await startPostfix();
  ltm = createOpenltm();
  port = await freePort();
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm virtual vs destination 127.0.0.1:${port} ip-protocol tcp pool p_pf profiles add { tcp }`);
  const backend = SqliteBackend.open(ltm.storePath);
  try {
    backend.write(() => {
      const repo = backend.repo;
      repo.insert('ltm snat-translation', '/Common/127.0.0.7', verbatim(['address', '127.0.0.7']));
      repo.insert('ltm snatpool', '/Common/sp', verbatim(['members', { b: [['/Common/127.0.0.7']] }]));
      repo.insert('ltm snat-translation', '/Common/bad', verbatim(['address', 'not-an-address']));
      const vs = repo.get('ltm virtual', '/Common/vs')!;
      const sat = ['source-address-translation', { b: [['pool', '/Common/sp'], ['type', 'snat']] }];
      repo.update(vs, { ...repo.propsCopy(vs), [PRESERVED_KEY]: [sat] as unknown as StoredValue });
    });
  } finally {
    backend.close();
  }
  await ltm.startDaemon();
  await waitForListen(port, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await postfix?.stop();
});

it('the promoted SNAT pool is used: Postfix sees the translation address, not 127.0.0.1', async () => {
  const from = (a: string) => postfix.maillog().split(`: connect from unknown[${a}]`).length - 1;
  const before = { snat: from('127.0.0.7'), lo: from('127.0.0.1') };
  expect((await swaks({ port, subject: 'promoted snat' })).code).toBe(0);
  expect(from('127.0.0.7')).toBe(before.snat + 1);
  expect(from('127.0.0.1')).toBe(before.lo);
  expect(await ltm.tmshOk('list ltm virtual vs source-address-translation')).toMatch(/pool sp\s+type snat/);
});

it('the record that does not validate is stored only, and the daemon logs a warning saying why', async () => {
  expect(await ltm.tmshOk('list ltm snat-translation bad')).toBe('ltm snat-translation bad {\n    address not-an-address\n}\n');
  expect(await ltm.tmshOk('show ltm snat-translation bad')).toMatch(/^ltm snat-translation \/Common\/bad: stored only: kept as it came from an earlier openltm, not acted on, because it does not validate: .*not-an-address/);
  const warning = ltm.daemonLog().split('\n').find((l) => l.includes('"object":"ltm snat-translation /Common/bad"'));
  expect(warning).toBeDefined();
  expect(JSON.parse(warning!)).toMatchObject({ level: 40, reason: expect.stringMatching(/not-an-address/) });
});
